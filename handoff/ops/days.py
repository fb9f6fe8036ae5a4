"""The calendar days the ops filters accept (`from`, `to`: store-local days).

Local midnight of every accepted day must exist in UTC as well: 0001-01-01 in Jakarta is
still year 0 in UTC, and the day after 9999-12-31 does not exist, so such days are refused
with a 422 instead of overflowing Python's datetime.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, status

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"

FromDay = Annotated[date | None, Query(alias="from", description=f"first day, {_RANGE}")]
ToDay = Annotated[date | None, Query(alias="to", description=f"last day (inclusive), {_RANGE}")]


def _refuse(name: str, message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY,
                         [{"loc": ["query", name], "msg": message, "type": "value_error"}])


def checked_days(date_from: date | None, date_to: date | None) -> None:
    """A 422 naming the parameter when a day is out of range or `to` is before `from`."""
    for name, day in (("from", date_from), ("to", date_to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise _refuse(name, f"`{name}` must be {_RANGE}")
    if date_from and date_to and date_to < date_from:
        raise _refuse("to", "`to` is before `from`")


__all__ = ["FIRST_DAY", "LAST_DAY", "FromDay", "ToDay", "checked_days"]
