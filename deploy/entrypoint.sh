#!/bin/sh
# The image's entry point: one image, three processes (docs/production.md "Containers").
#   entrypoint.sh gateway|rasa|actions|migrate [extra arguments for that process]
# Anything else is run as given (e.g. `python -m handoff.auth.accounts add …`).
# Every setting comes from the environment; nothing here holds a secret.
set -eu
cd "$(dirname "$0")/.."  # /app in the image, the repository root elsewhere

role="${1:-gateway}"
[ "$#" -gt 0 ] && shift
case "$role" in
  gateway)
    # Listens on UVICORN_HOST (the image sets 0.0.0.0); the app believes X-Forwarded-For
    # only from TRUSTED_PROXIES, so throttling and flood limits see customers' addresses.
    # -W: Rasa pins websockets 10, so uvicorn's legacy backend stays (scripts/stack.py).
    exec python -W ignore::UserWarning:uvicorn.protocols.websockets.websockets_impl \
      -m uvicorn handoff.app:create_app --factory --port "${GATEWAY_PORT:-8000}" \
      --ws websockets --no-access-log --no-proxy-headers "$@" ;;
  rasa)
    # `--model models` loads the one model the image carries (the newest file there).
    exec python -m scripts.rasa_server --model models --port "${RASA_PORT:-5005}" "$@" ;;
  actions)
    exec python -m actions.server --port "${ACTIONS_PORT:-5055}" "$@" ;;
  migrate)
    exec python deploy/migrate.py "$@" ;;
  *)
    exec "$role" "$@" ;;
esac
