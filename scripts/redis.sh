#!/usr/bin/env bash
# A throwaway Redis for tests and local runs: scripts/redis.sh start|stop|url
#   start  run redis-server on 127.0.0.1:${REDIS_PORT:-56379} in the background (data dir
#          ${REDIS_DIR:-var/redis}, no persistence), print the URL (export it as REDIS_URL).
#   stop   shut it down without saving.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDIS_PORT="${REDIS_PORT:-56379}"
REDIS_DIR="${REDIS_DIR:-$ROOT/var/redis}"
URL="redis://127.0.0.1:$REDIS_PORT/0"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "redis-server not found; install it with: apt-get install -y redis-server" >&2
  exit 1
fi

cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

start() {
  mkdir -p "$REDIS_DIR"
  REDIS_DIR="$(cd "$REDIS_DIR" && pwd)"  # redis-server chdirs there before opening its files
  if [[ "$(cli ping 2>/dev/null)" != "PONG" ]]; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
      --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq 50); do  # up to 5 s
      [[ "$(cli ping 2>/dev/null)" == "PONG" ]] && break
      sleep 0.1
    done
    if [[ "$(cli ping 2>/dev/null)" != "PONG" ]]; then
      echo "redis-server did not start; see $REDIS_DIR/redis.log" >&2
      exit 1
    fi
  fi
  echo "$URL"
}

stop() {
  cli shutdown nosave >/dev/null 2>&1 || true
  local pidfile="$REDIS_DIR/redis.pid"  # removed by a clean shutdown
  if [[ -f "$pidfile" ]]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
