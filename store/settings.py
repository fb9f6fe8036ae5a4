"""Every setting of every process, in one object read once from the environment.

Embedded defaults (SQLite file under var/, in-memory fan-out, one process each) make a
fresh clone run without configuration; README "Configuration" lists the variables.
The gateway, the action server and the scripts all call get_settings(); nothing else
reads os.environ for a setting. Tests that change the environment call
get_settings.cache_clear().
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOP_VAR_DIR", ROOT / "var"))


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'shop.db'}"


def _parse_hours(value: str) -> tuple[time, time]:
    """'08:00-21:00' -> (08:00, 21:00); a clear error for anything else."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise ValueError(f"OPENING_HOURS must look like 08:00-21:00, got {value!r}") from error
    if start >= end:
        raise ValueError(f"OPENING_HOURS must open before it closes, got {value!r}")
    return start, end


DEFAULT_TOKEN_HOURS = 12.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# What has to be set for the WhatsApp channel to work; the URL and version have defaults.
WHATSAPP_REQUIRED = ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN",
                     "WHATSAPP_PHONE_NUMBER_ID")


def _parse_token_hours(raw: str) -> float:
    """TOKEN_HOURS (default 12): one working shift, then log in again."""
    try:
        hours = float(raw) if raw.strip() else DEFAULT_TOKEN_HOURS
    except ValueError as error:
        raise ValueError(f"TOKEN_HOURS must be a number of hours, got {raw!r}") from error
    if hours <= 0:
        raise ValueError(f"TOKEN_HOURS must be positive, got {raw!r}")
    return hours


def _parse_log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, got {raw!r}")
    return value


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp Cloud API channel. Optional: without them the gateway runs and the
    webhook says clearly that WhatsApp is not configured."""

    verify_token: str = ""
    app_secret: str = ""
    access_token: str = ""
    phone_number_id: str = ""
    api_base_url: str = "https://graph.facebook.com"
    api_version: str = "v19.0"

    @property
    def enabled(self) -> bool:
        return all((self.verify_token, self.app_secret, self.access_token,
                    self.phone_number_id))

    @property
    def messages_url(self) -> str:
        return (f"{self.api_base_url.rstrip('/')}/{self.api_version.strip('/')}/"
                f"{self.phone_number_id}/messages")


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    timezone: str = "Asia/Jakarta"
    opening_hours: tuple[time, time] = (time(8, 0), time(21, 0))
    default_language: str = "id"
    # Used for wait estimates until enough handoffs were resolved to measure it.
    default_handling_minutes: float = 6.0
    idle_minutes: float = 10.0
    rasa_url: str = "http://127.0.0.1:5005"
    # Website chat: at most this many customer messages per connection per window.
    chat_message_limit: int = 20
    chat_window_seconds: float = 60.0
    # `python -m handoff.ops.privacy purge` anonymises conversations closed longer ago than this.
    retention_days: int = 365
    # Agent API tokens expire after this many hours.
    token_hours: float = DEFAULT_TOKEN_HOURS
    # Gateways' live updates and turn lock: "memory" (one instance) or "redis" (several).
    live_fanout: str = "memory"
    redis_url: str = DEFAULT_REDIS_URL
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)
    # The internal doors (docs/security.md). Rasa's HTTP API and the gateway channel want
    # this token; Rasa calls the action server with its secret; Rasa signs what it posts to
    # the gateway's callback with the third. scripts/env.sh makes random ones per machine.
    rasa_auth_token: str = ""
    action_server_secret: str = ""
    callback_secret: str = ""
    # Where Rasa and the action server listen: loopback unless a private interface is set.
    rasa_interface: str = "127.0.0.1"
    actions_interface: str = "127.0.0.1"
    # The gateway's logs: "text" (development) or "json", one object per line with the
    # conversation and message ids and no personal data (the production layout).
    log_format: str = "text"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        database_url=env.get("DATABASE_URL") or _default_database_url(),
        timezone=env.get("SHOP_TIMEZONE", "Asia/Jakarta"),
        opening_hours=_parse_hours(env.get("OPENING_HOURS", "08:00-21:00")),
        default_language=env.get("DEFAULT_LANGUAGE", "id"),
        default_handling_minutes=float(env.get("DEFAULT_HANDLING_MINUTES", "6")),
        idle_minutes=float(env.get("IDLE_MINUTES", "10")),
        rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005"),
        chat_message_limit=int(env.get("CHAT_MESSAGE_LIMIT", "20")),
        chat_window_seconds=float(env.get("CHAT_WINDOW_SECONDS", "60")),
        retention_days=int(env.get("RETENTION_DAYS", "365")),
        token_hours=_parse_token_hours(env.get("TOKEN_HOURS", "")),
        live_fanout=(env.get("LIVE_FANOUT") or "memory").strip().lower(),
        redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
        whatsapp=WhatsAppSettings(
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
            app_secret=env.get("WHATSAPP_APP_SECRET", ""),
            access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
            api_base_url=env.get("WHATSAPP_API_BASE_URL") or "https://graph.facebook.com",
            api_version=env.get("WHATSAPP_API_VERSION") or "v19.0",
        ),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
        action_server_secret=env.get("ACTION_SERVER_SECRET", ""),
        callback_secret=env.get("CALLBACK_SECRET", ""),
        rasa_interface=env.get("RASA_INTERFACE") or "127.0.0.1",
        actions_interface=env.get("ACTIONS_INTERFACE") or "127.0.0.1",
        log_format=_parse_log_format(env.get("LOG_FORMAT", "")),
    )
