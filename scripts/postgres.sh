#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and local runs: scripts/postgres.sh start|stop|url
#   start  initdb into var/pg when missing, listen on 127.0.0.1:${PG_PORT:-55432},
#          create role "shop" and databases "shop" (the shop) and "rasa" (Rasa's tracker
#          store in the production layout), print the shop URL.
#   stop   stop the cluster (the data directory is kept; delete var/pg to start over).
#   restart  stop, then start (the fault tests restart the database under traffic).
# Runs the server as the "postgres" system user (initdb refuses to run as root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_PORT="${PG_PORT:-55432}"
PG_DIR="${PG_DIR:-$ROOT/var/pg}"
# The server runs as the postgres user, which may not reach into this tree (a private temp
# or home directory, or var/, which is the owner's only): then the cluster lives in a
# directory of its own under /tmp.
if [[ "$(id -u)" == "0" ]] && ! { mkdir -p "$(dirname "$PG_DIR")" &&
    runuser -u postgres -- test -x "$(dirname "$PG_DIR")"; } 2>/dev/null; then
  PG_DIR="/tmp/shop-pg-$(printf %s "$PG_DIR" | sha256sum | cut -c1-12)"
fi
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
URL="postgresql://shop:shop@127.0.0.1:$PG_PORT/shop"

if [[ -z "$PG_BIN" || ! -x "$PG_BIN/pg_ctl" ]]; then
  echo "PostgreSQL binaries not found; install them with: apt-get install -y postgresql" >&2
  exit 1
fi

as_postgres() {
  if [[ "$(id -un)" == "postgres" ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}

psql_admin() {
  as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAq "$@"
}

start() {
  mkdir -p "$PG_DIR"
  if [[ "$(id -u)" == "0" ]]; then chown postgres: "$PG_DIR"; chmod 700 "$PG_DIR"; fi
  if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
      -o "-h 127.0.0.1 -p $PG_PORT -k /tmp" start >/dev/null
  fi
  if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'shop'")" ]]; then
    psql_admin -c "CREATE ROLE shop LOGIN PASSWORD 'shop' CREATEDB"
  fi
  local name
  for name in shop rasa; do
    if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]]; then
      psql_admin -c "CREATE DATABASE $name OWNER shop"
    fi
  done
  echo "$URL"
}

stop() {
  if [[ -f "$PG_DIR/PG_VERSION" ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start >/dev/null ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|restart|url" >&2; exit 2 ;;
esac
