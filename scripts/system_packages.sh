# Installs Debian packages the tests need when they are missing (sourced by scripts/test).
# Usage: ensure_packages COMMAND_OR_PATH:PACKAGE ...
ensure_packages() {
  local wanted=() item probe package
  for item in "$@"; do
    probe="${item%%:*}"; package="${item##*:}"
    if [[ "$probe" == /* ]]; then [[ -e "$probe" ]] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    wanted+=("$package")
  done
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  echo "==> installing system packages: ${wanted[*]}"
  local sudo=""; [[ "$(id -u)" != "0" ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${wanted[@]}" >/dev/null
}
