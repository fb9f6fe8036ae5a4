# Embedded defaults for every setting; anything already in the environment wins.
# Sourced by scripts/start and scripts/test.
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export SHOP_VAR_DIR="${SHOP_VAR_DIR:-$ROOT/var}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$SHOP_VAR_DIR/shop.db}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export GATEWAY_PORT="${GATEWAY_PORT:-8000}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"
export GATEWAY_CALLBACK_URL="${GATEWAY_CALLBACK_URL:-http://127.0.0.1:$GATEWAY_PORT/rasa/callback}"
export TRACKER_STORE_DIALECT="${TRACKER_STORE_DIALECT:-sqlite}"
export TRACKER_STORE_URL="${TRACKER_STORE_URL:-sqlite:///$SHOP_VAR_DIR/rasa_tracker.db}"
export LOCK_STORE_TYPE="${LOCK_STORE_TYPE:-in_memory}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
export REDIS_PORT="${REDIS_PORT:-6379}"
export SQLITE_BUSY_SECONDS="${SQLITE_BUSY_SECONDS:-5}"
# Website chat flood limits and resume window (README "Configuration").
export CHAT_STARTS_PER_CONNECTION="${CHAT_STARTS_PER_CONNECTION:-3}"
export CHAT_CONVERSATIONS_PER_ADDRESS="${CHAT_CONVERSATIONS_PER_ADDRESS:-10}"
export CHAT_SOCKETS_PER_ADDRESS="${CHAT_SOCKETS_PER_ADDRESS:-20}"
export TRUSTED_PROXIES="${TRUSTED_PROXIES-127.0.0.1,::1}"  # set but empty = trust none
export RESUME_HOURS="${RESUME_HOURS:-24}"
# Replies for website customers who left the chat: email needs SMTP_URL (unset: email is not
# offered); the links in those emails open the demo store with the same conversation.
export SMTP_URL="${SMTP_URL:-}"
export SMTP_FROM="${SMTP_FROM:-Toko Nusa <cs@tokonusa.id>}"
export CHAT_PAGE_URL="${CHAT_PAGE_URL:-http://127.0.0.1:$GATEWAY_PORT/}"
export RESUME_LINK_DAYS="${RESUME_LINK_DAYS:-7}"
export LONG_WAIT_MINUTES="${LONG_WAIT_MINUTES:-15}"
# Gateway logs: text here; the production layout writes JSON lines (docs/production.md).
export LOG_FORMAT="${LOG_FORMAT:-text}"
# Rasa and TensorFlow are chatty and phone home by default; keep them quiet and offline.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export RASA_TELEMETRY_ENABLED=false
export SANIC_REGISTER=false
# Everything the processes create (databases, logs, secrets) is the owner's only.
umask 077
mkdir -p "$SHOP_VAR_DIR"
# Who may call Rasa, the action server and the gateway's callback (docs/security.md):
# random per machine, made once and kept owner-only under var/secrets; the environment wins.
internal_secret() {
  local file="$SHOP_VAR_DIR/secrets/$1"
  if [ ! -s "$file" ]; then
    (umask 077 && mkdir -p "$SHOP_VAR_DIR/secrets" &&
      head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
  fi
  cat "$file"
}
for secret in RASA_AUTH_TOKEN ACTION_SERVER_SECRET CALLBACK_SECRET; do
  [ -n "${!secret:-}" ] || export "$secret=$(internal_secret "$secret")"
done
unset secret
