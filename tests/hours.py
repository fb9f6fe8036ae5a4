"""Opening hours that make "now" open or closed, whatever the time the tests run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

OPEN_ALL_DAY = "00:00-23:59:59"


def closed_now(timezone: str = "Asia/Jakarta") -> str:
    """OPENING_HOURS of one hour that does not contain the current local time."""
    hour = datetime.now(ZoneInfo(timezone)).hour
    start = hour + 2 if hour < 21 else 1  # 21:xx-23:xx opens at 01:00
    return f"{start:02d}:00-{start + 1:02d}:00"
