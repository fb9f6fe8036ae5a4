"""Service measures for ops over a date range (defaults to the last 30 store-local days)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status

from handoff.auth.deps import OpsAgent, SessionDep
from handoff.ops.days import FromDay, ToDay, checked_days
from handoff.ops.metrics import compute_metrics
from handoff.ops.schemas import MetricsOut
from store.hours import local_now
from store.settings import get_settings

router = APIRouter(tags=["metrics"])
DEFAULT_DAYS = 30
MAX_DAYS = 366


@router.get("/metrics", response_model=MetricsOut)
def metrics(
    _agent: OpsAgent,
    session: SessionDep,
    date_from: FromDay = None,
    date_to: ToDay = None,
) -> dict:
    checked_days(date_from, date_to)
    settings = get_settings()
    date_to = date_to or local_now(settings).date()
    date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            [{"loc": ["query", "to"], "type": "value_error",
              "msg": f"`to` must be on or after `from` and at most {MAX_DAYS} days later"}])
    return compute_metrics(session, date_from, date_to, settings)
