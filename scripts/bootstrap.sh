# Finds Python 3.10, creates .venv and installs the pinned dependencies when they changed.
# Sourced by scripts/start and scripts/test; sets PY to the venv's interpreter.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
VENV="$ROOT/.venv"

find_python310() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import venv' 2>/dev/null; then
    command -v python3.10; return
  fi
  local candidate
  for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  if ! PYTHON310="$(find_python310)"; then
    cat >&2 <<'MSG'
error: Python 3.10 is required (Rasa Open Source 3.6 supports 3.8-3.10) and none was found.
Install it, for example:
  pyenv install 3.10.13            (then re-run this command), or
  apt-get install python3.10 python3.10-venv
MSG
    exit 1
  fi
  echo "==> creating .venv with $PYTHON310"
  rm -rf "$VENV"
  "$PYTHON310" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Reinstall only when the dependency pins change.
STAMP="$VENV/.deps-$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  echo "==> installing dependencies into .venv (first run takes a few minutes)"
  "$PY" -m pip install --quiet --upgrade "pip==24.0"
  "$PY" -m pip install --quiet -c "$ROOT/constraints.txt" -e "$ROOT[dev]"
  rm -f "$VENV"/.deps-*
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
