"""Opening hours of the support team, in the store's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from store.models import as_utc
from store.settings import Settings


def local_now(settings: Settings, now: datetime | None = None) -> datetime:
    now = now or datetime.now(ZoneInfo("UTC"))
    return now.astimezone(ZoneInfo(settings.timezone))


def local_today(settings: Settings, now: datetime | None = None) -> date:
    """Today in the store's time zone (the date customers and couriers mean)."""
    return local_now(settings, now).date()


def to_local(settings: Settings, moment: datetime) -> datetime:
    return as_utc(moment).astimezone(ZoneInfo(settings.timezone))


def is_open(settings: Settings, now: datetime | None = None) -> bool:
    start, end = settings.opening_hours
    return start <= local_now(settings, now).time() < end


def next_opening(settings: Settings, now: datetime | None = None) -> datetime:
    """When the team is next available (now, if open)."""
    local = local_now(settings, now)
    start, end = settings.opening_hours
    today_open = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if local.time() < start:
        return today_open
    if local.time() < end:
        return local
    return today_open + timedelta(days=1)
