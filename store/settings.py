"""Every setting of the service, read once from the environment with embedded defaults."""

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
    # `python -m handoff.privacy purge` anonymises conversations closed longer ago than this.
    retention_days: int = 365


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
    )
