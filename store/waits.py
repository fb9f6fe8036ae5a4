"""The one wait estimate: what the bot says when it queues a customer, what the website chat's
status bar and WhatsApp's notice show, and what the ops dashboard checks against reality.

It knows the opening hours, who is online and how busy they are. Outside opening hours, or
when the queue would run past closing time, it gives the time the team is back; with nobody
online it promises no time at all. Minutes are only ever said when someone can answer
today. The promise made when a handoff is queued is stored on it (predicted_wait_seconds,
predicted_back_at) and compared with the moment an agent answered (answered_at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.hours import is_open, local_now, next_opening, to_local
from store.models import Agent, Handoff, HandoffStatus, Role, as_utc, utcnow
from store.settings import Settings, get_settings

ONLINE_WINDOW = timedelta(minutes=2)  # an inbox heartbeat arrives every 30 s
ANSWERING_ROLES = (Role.agent, Role.admin)
MINUTES, BACK_AT, NO_AGENT = "minutes", "back_at", "no_agent"


@dataclass(frozen=True)
class WaitEstimate:
    """Exactly one of: `minutes` (someone answers today), `back_at` (the local time the team
    is back), or neither (nobody online: no time can be promised)."""

    minutes: int | None
    back_at: datetime | None
    agents_online: int
    queue_ahead: int
    within_hours: bool

    @property
    def kind(self) -> str:
        if self.back_at is not None:
            return BACK_AT
        return MINUTES if self.minutes is not None else NO_AGENT

    def answers_soon(self, settings: Settings | None = None) -> bool:
        """Whether a person will answer within LONG_WAIT_MINUTES."""
        limit = (settings or get_settings()).long_wait_minutes
        return self.minutes is not None and self.minutes <= limit

    def seconds_from(self, now: datetime) -> int | None:
        """The promise as seconds from `now` (None: nothing was promised)."""
        if self.back_at is not None:
            return max(0, round((as_utc(self.back_at) - as_utc(now)).total_seconds()))
        return None if self.minutes is None else self.minutes * 60


def back_at_label(moment: datetime, settings: Settings | None = None) -> str:
    """'08:00 WIB (02/12)': the one way the bot, the status bar and notices write it."""
    local = to_local(settings or get_settings(), moment)
    return f"{local:%H:%M} {local:%Z} ({local:%d/%m})".replace("  ", " ")


def opening_hours_label(settings: Settings | None = None) -> str:
    """'08:00–21:00 WIB'."""
    settings = settings or get_settings()
    start, end = settings.opening_hours
    return f"{start:%H:%M}–{end:%H:%M} {local_now(settings):%Z}".strip()


def _agents_online(session: Session, now: datetime) -> list[int]:
    return list(session.execute(
        select(Agent.id).where(
            Agent.is_active.is_(True),
            Agent.role.in_(ANSWERING_ROLES),
            Agent.last_seen_at >= now - ONLINE_WINDOW,
        )
    ).scalars())


def _load(session: Session, agent_ids: list[int]) -> int:
    """Open handoffs the online agents are working on now."""
    if not agent_ids:
        return 0
    return session.execute(
        select(func.count(Handoff.id)).where(Handoff.status == HandoffStatus.assigned,
                                             Handoff.agent_id.in_(agent_ids))
    ).scalar_one()


def _queue_ahead(session: Session, handoff: Handoff | None) -> int:
    ahead = select(func.count(Handoff.id)).where(Handoff.status == HandoffStatus.queued)
    if handoff is not None:
        ahead = ahead.where(
            (Handoff.priority > handoff.priority)
            | ((Handoff.priority == handoff.priority) & (Handoff.id < handoff.id))
        )
    return session.execute(ahead).scalar_one()


def estimate_wait(
    session: Session,
    *,
    handoff: Handoff | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> WaitEstimate:
    """(Customers ahead + conversations the online agents hold) × measured handling time ÷
    agents online, at least a minute; honest about closed hours and an empty inbox.

    With `handoff`, only those ahead of it in the queue (priority, then age) count.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    online = _agents_online(session, now)
    ahead = _queue_ahead(session, handoff)
    within_hours = is_open(settings, now)
    estimate = WaitEstimate(minutes=None, back_at=None, agents_online=len(online),
                            queue_ahead=ahead, within_hours=within_hours)
    if not within_hours:
        return _replace(estimate, back_at=next_opening(settings, now))
    if not online:
        return estimate
    handling = _recent_handling_minutes(session) or settings.default_handling_minutes
    work = ahead + _load(session, online)
    minutes = max(1, math.ceil(work * handling / len(online)))
    if not is_open(settings, now + timedelta(minutes=minutes)):
        # The queue runs past closing time: say when the team is back, not "90 minutes".
        return _replace(estimate, back_at=next_opening(settings, now + timedelta(minutes=minutes)))
    return _replace(estimate, minutes=minutes)


def _replace(estimate: WaitEstimate, **changes: object) -> WaitEstimate:
    return WaitEstimate(**{**estimate.__dict__, **changes})


def _recent_handling_minutes(session: Session, sample: int = 50) -> float | None:
    rows = session.execute(
        select(Handoff.assigned_at, Handoff.resolved_at)
        .where(Handoff.resolved_at.is_not(None), Handoff.assigned_at.is_not(None))
        .order_by(Handoff.resolved_at.desc())
        .limit(sample)
    ).all()
    if len(rows) < 5:
        return None
    total = sum((as_utc(done) - as_utc(start)).total_seconds() for start, done in rows)
    return total / len(rows) / 60


def record_promise(handoff: Handoff, wait: WaitEstimate, now: datetime | None = None) -> None:
    """Store what the customer is told when queued, to compare with when they were answered."""
    created = handoff.created_at or now or utcnow()
    handoff.predicted_wait_seconds = wait.seconds_from(created)
    handoff.predicted_back_at = wait.back_at


def current_wait(session: Session, handoff: Handoff, now: datetime | None = None,
                 settings: Settings | None = None) -> WaitEstimate:
    """The wait to tell a queued customer now.

    Hours and presence are read afresh; in minutes, the promise made when they were queued
    (counted down) is never undercut by a shorter fresh estimate: what the status bar says
    right after the bot spoke is what the bot said, and later it only ever under-promises.
    """
    now = now or utcnow()
    fresh = estimate_wait(session, handoff=handoff, now=now, settings=settings)
    promised = handoff.predicted_wait_seconds
    if fresh.minutes is None or handoff.predicted_back_at is not None or promised is None:
        return fresh
    left = as_utc(handoff.created_at) + timedelta(seconds=promised) - as_utc(now)
    remaining = math.ceil(left.total_seconds() / 60)
    return _replace(fresh, minutes=max(fresh.minutes, remaining))


def mark_answered(handoff: Handoff, moment: datetime | None = None) -> None:
    """The customer's wait ends at the first claim or agent reply (kept across transfers)."""
    if handoff.answered_at is None:
        handoff.answered_at = moment or utcnow()


__all__ = ["BACK_AT", "MINUTES", "NO_AGENT", "ONLINE_WINDOW", "WaitEstimate", "back_at_label",
           "current_wait", "estimate_wait", "mark_answered", "opening_hours_label",
           "record_promise"]
