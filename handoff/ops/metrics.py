"""Service measures for ops (docs/api.md, "Metrics"), computed from stored rows.

A conversation belongs to the range when it was created in it (store-local days, `to`
inclusive) and the customer wrote in it (search.has_customer_message); its handoffs and
survey answers come with it. Rows are fetched with plain
SELECTs and aggregated in Python, so local days, percentiles and the reopen window are
computed the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.ops.search import has_customer_message, local_day_end, local_day_start
from store.models import Conversation, Handoff, SurveyAnswer, as_utc
from store.settings import Settings, get_settings

CONFIRMED_CLOSE_REASONS = ("goodbye", "helped")  # the customer said it was done
REOPEN_WINDOW = timedelta(hours=24)
EASY_SCORES = range(5, 8)
HARD_SCORES = range(1, 4)
_IN_CHUNK = 500  # bound IN (...) lists well below every driver's parameter limit



def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    """part ÷ whole, or None when nothing was measured (not a misleading 0)."""
    return round(part / whole, digits) if whole else None


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default, Excel's PERCENTILE.INC).

    The one percentile of the project: the dashboard and the benchmarks both use it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _seconds_at(seconds: Sequence[float], fraction: float) -> float | None:
    value = percentile(seconds, fraction)
    return None if value is None else round(value, 1)


def durations(seconds: Sequence[float]) -> dict[str, Any]:
    return {"n": len(seconds), "p50_seconds": _seconds_at(seconds, 0.5),
            "p90_seconds": _seconds_at(seconds, 0.9)}


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (as_utc(end) - as_utc(start)).total_seconds())


@dataclass(frozen=True)
class _Rows:
    conversations: list[Any]
    handoffs: list[Any]
    scores: list[tuple[str, int | None]]


def _fetch(session: Session, start: datetime, end: datetime) -> _Rows:
    in_range = (Conversation.created_at >= start, Conversation.created_at < end,
                has_customer_message())
    conversations = session.execute(
        select(Conversation.id, Conversation.created_at, Conversation.channel,
               Conversation.closed_at, Conversation.close_reason, Conversation.customer_id)
        .where(*in_range)
    ).all()
    handoffs = session.execute(
        select(Handoff.conversation_id, Handoff.reason, Handoff.created_at, Handoff.assigned_at,
               Handoff.first_agent_reply_at, Handoff.resolved_at,
               Handoff.predicted_wait_seconds, Handoff.answered_at)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(*in_range).order_by(Handoff.id)
    ).all()
    scores = session.execute(
        select(SurveyAnswer.conversation_id, SurveyAnswer.score)
        .join(Conversation, Conversation.id == SurveyAnswer.conversation_id)
        .where(*in_range)
    ).all()
    return _Rows(list(conversations), list(handoffs), [tuple(row) for row in scores])


def _conversation_counts(rows: _Rows, date_from: date, date_to: date, tz: ZoneInfo) -> dict:
    per_day = Counter(as_utc(row.created_at).astimezone(tz).date() for row in rows.conversations)
    days = [date_from + timedelta(offset) for offset in range((date_to - date_from).days + 1)]
    return {
        "total": len(rows.conversations),
        "by_day": [{"date": day.isoformat(), "count": per_day.get(day, 0)} for day in days],
        "by_channel": dict(sorted(Counter(row.channel for row in rows.conversations).items())),
    }


def _handoff_counts(rows: _Rows, total: int) -> dict:
    handed = {row.conversation_id for row in rows.handoffs}
    pairs = {(row.conversation_id, row.reason) for row in rows.handoffs}
    by_reason = Counter(reason for _, reason in pairs)
    return {
        "total": len(handed),
        "rate": ratio(len(handed), total),
        "by_reason": [{"reason": reason, "count": n, "rate": ratio(n, total)}
                      for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


def _containment(rows: _Rows) -> tuple[dict, dict]:
    handed = {row.conversation_id for row in rows.handoffs}
    closed = [row for row in rows.conversations if row.closed_at is not None]
    bot_only = [row for row in closed if row.id not in handed]
    confirmed = sum(row.close_reason in CONFIRMED_CLOSE_REASONS for row in bot_only)
    return (
        {"closed": len(closed), "without_human": len(bot_only),
         "rate": ratio(len(bot_only), len(closed))},
        {"confirmed": confirmed, "assumed": len(bot_only) - confirmed},
    )


def _ces_group(scores: Sequence[int]) -> dict:
    return {"answers": len(scores), "mean": mean(scores)}


def _ces(rows: _Rows) -> dict:
    last_reason = {row.conversation_id: row.reason for row in rows.handoffs}  # by id: last wins
    answered = [(cid, score) for cid, score in rows.scores if score is not None]
    scores = [score for _, score in answered]
    easy = sum(score in EASY_SCORES for score in scores)
    hard = sum(score in HARD_SCORES for score in scores)
    by_reason: dict[str, list[int]] = defaultdict(list)
    for cid, score in answered:
        if cid in last_reason:
            by_reason[last_reason[cid]].append(score)
    distribution = Counter(scores)
    return {
        "surveys_sent": len(rows.scores),
        "answers": len(scores),
        "response_rate": ratio(len(scores), len(rows.scores)),
        "mean": mean(scores),
        "easy_share": ratio(easy, len(scores)),
        "net_effort": ratio(easy - hard, len(scores)),
        "distribution": {str(score): distribution.get(score, 0) for score in range(1, 8)},
        "bot_only": _ces_group([s for cid, s in answered if cid not in last_reason]),
        "handed_off": _ces_group([s for cid, s in answered if cid in last_reason]),
        "by_reason": [{"reason": reason, **_ces_group(values)}
                      for reason, values in sorted(by_reason.items())],
    }


def _timings(rows: _Rows) -> dict:
    def measured(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> dict:
        values = [_seconds(start, end) for start, end in pairs]
        return durations([value for value in values if value is not None])

    return {
        "time_to_agent": measured((h.created_at, h.assigned_at) for h in rows.handoffs),
        "first_agent_response": measured(
            (h.assigned_at, h.first_agent_reply_at) for h in rows.handoffs),
        "handling_time": measured((h.assigned_at, h.resolved_at) for h in rows.handoffs),
    }


def _wait_promises(rows: _Rows) -> dict:
    """The wait promised when queued (store.waits) against when an agent answered.

    Error = actual − promised: negative when the customer was answered sooner than told
    (under-promised), positive when they waited longer. Handoffs with no promise (nobody
    was online) or not answered yet are counted, not measured."""
    errors = [_seconds(h.created_at, h.answered_at) - h.predicted_wait_seconds
              for h in rows.handoffs
              if h.predicted_wait_seconds is not None and h.answered_at is not None]
    kept = sum(error <= 0 for error in errors)
    return {
        "n": len(errors),
        "no_time_promised": sum(h.predicted_wait_seconds is None for h in rows.handoffs),
        "not_answered_yet": sum(h.predicted_wait_seconds is not None and h.answered_at is None
                                for h in rows.handoffs),
        "error_p50_seconds": _seconds_at(errors, 0.5),
        "error_p90_seconds": _seconds_at(errors, 0.9),
        "under_promised": kept,
        "under_promised_share": ratio(kept, len(errors)),
    }


def _later_starts(session: Session, customer_ids: set[int]) -> dict[int, list[datetime]]:
    starts: dict[int, list[datetime]] = defaultdict(list)
    ordered = sorted(customer_ids)
    for index in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[index:index + _IN_CHUNK]
        for customer_id, created_at in session.execute(
            select(Conversation.customer_id, Conversation.created_at)
            .where(Conversation.customer_id.in_(chunk), has_customer_message())
        ):
            starts[customer_id].append(as_utc(created_at))
    return starts


def _reopened(session: Session, rows: _Rows) -> dict:
    """Closed conversations whose customer came back within 24 h (in or after the range)."""
    closed = [row for row in rows.conversations if row.closed_at is not None]
    starts = _later_starts(session, {r.customer_id for r in closed if r.customer_id is not None})
    reopened = 0
    for row in closed:
        closed_at = as_utc(row.closed_at)
        if any(closed_at < start <= closed_at + REOPEN_WINDOW
               for start in starts.get(row.customer_id, ())):
            reopened += 1
    return {"closed": len(closed), "reopened": reopened, "rate": ratio(reopened, len(closed))}


def compute_metrics(
    session: Session, date_from: date, date_to: date, settings: Settings | None = None
) -> dict[str, Any]:
    """The metrics object of docs/api.md for conversations created from `date_from` to
    `date_to` (inclusive, store-local days)."""
    if date_to < date_from:
        raise ValueError("`to` must not be before `from`")
    settings = settings or get_settings()
    start = local_day_start(date_from, settings.timezone)
    end = local_day_end(date_to, settings.timezone)
    rows = _fetch(session, start, end)
    counts = _conversation_counts(rows, date_from, date_to, ZoneInfo(settings.timezone))
    containment, bot_resolutions = _containment(rows)
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "conversations": counts,
        "containment": containment,
        "bot_resolutions": bot_resolutions,
        "handoffs": _handoff_counts(rows, counts["total"]),
        "ces": _ces(rows),
        **_timings(rows),
        "wait_promises": _wait_promises(rows),
        "reopened_within_24h": _reopened(session, rows),
    }


__all__ = ["CONFIRMED_CLOSE_REASONS", "compute_metrics", "durations", "mean", "percentile",
           "ratio"]
