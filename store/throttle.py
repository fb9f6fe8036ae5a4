"""Attempt counters kept in the database, so every process (API workers, action server) sees
the same count: failed logins per username and per client address, and failed order
verifications per conversation (per order number in it, and in all).

A limit is "at most `limit` failures within `window`"; the next attempt is refused until the
oldest failure in the window is older than the window (that wait is the Retry-After).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, case, delete, func, select
from sqlalchemy.orm import Session

from store.db import Base
from store.models import as_utc, utcnow

LOGIN_LIMIT = 5
LOGIN_WINDOW = timedelta(minutes=15)
# Failed verifications a conversation may make within the window: of one order number, and
# of any. Failures in other conversations never count, so strangers guessing at an order
# cannot lock its owner out; opening conversation after conversation to guess is bounded by
# the chat's new-conversation limit per client address.
VERIFICATION_LIMIT = 3
CONVERSATION_VERIFICATION_LIMIT = 5
VERIFICATION_WINDOW = timedelta(hours=1)


class LoginAttempt(Base):
    """One failed login; the username is stored lower-cased, as typed (it may not exist)."""

    __tablename__ = "login_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    client_ip = Column(String(64), nullable=False, index=True)
    attempted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class VerificationAttempt(Base):
    """One failed order verification (wrong email/phone) for an order number."""

    __tablename__ = "verification_attempts"

    id = Column(Integer, primary_key=True)
    order_id = Column(String(10), nullable=False, index=True)
    conversation_id = Column(String(64))
    attempted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class Throttled(Exception):
    """Too many failures; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts, retry after {retry_after} s")
        self.retry_after = retry_after



def _retry_after(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    if oldest is None:
        return 1
    return max(1, math.ceil((as_utc(oldest) + window - now).total_seconds()))


def _check(session: Session, column, value: str, limit: int, window: timedelta,  # noqa: ANN001
           now: datetime) -> None:
    table = column.class_
    count, oldest = session.execute(
        select(func.count(table.id), func.min(table.attempted_at))
        .where(column == value, table.attempted_at > now - window)
    ).one()
    if count >= limit:
        raise Throttled(_retry_after(oldest, window, now))


def _username(username: str) -> str:
    return (username or "").strip().lower()[:64]


def check_login(session: Session, username: str, client_ip: str,
                now: datetime | None = None) -> None:
    """Raises Throttled after LOGIN_LIMIT failures for this username or from this address."""
    now = now or utcnow()
    _check(session, LoginAttempt.username, _username(username), LOGIN_LIMIT, LOGIN_WINDOW, now)
    _check(session, LoginAttempt.client_ip, client_ip[:64], LOGIN_LIMIT, LOGIN_WINDOW, now)


def record_failed_login(session: Session, username: str, client_ip: str,
                        now: datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - LOGIN_WINDOW))
    session.add(LoginAttempt(username=_username(username), client_ip=client_ip[:64],
                             attempted_at=now))
    session.flush()


def clear_failed_logins(session: Session, username: str) -> None:
    """After a successful login the username starts afresh (the address count stays)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == _username(username)))


def verification_tries_left(session: Session, order_id: str, conversation_id: str,
                            now: datetime | None = None) -> int:
    """Failed verifications of `order_id` that `conversation_id` may still make (0 = none),
    counted from this conversation's own failures within VERIFICATION_WINDOW."""
    now = now or utcnow()
    in_conversation, of_order = session.execute(
        select(func.count(VerificationAttempt.id),
               func.count(case((VerificationAttempt.order_id == order_id, 1))))
        .where(VerificationAttempt.conversation_id == conversation_id,
               VerificationAttempt.attempted_at > now - VERIFICATION_WINDOW)
    ).one()
    return max(0, min(VERIFICATION_LIMIT - of_order,
                      CONVERSATION_VERIFICATION_LIMIT - in_conversation))


def record_failed_verification(session: Session, order_id: str, conversation_id: str,
                               now: datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(delete(VerificationAttempt)
                    .where(VerificationAttempt.attempted_at <= now - VERIFICATION_WINDOW))
    session.add(VerificationAttempt(order_id=order_id, conversation_id=conversation_id,
                                    attempted_at=now))
    session.flush()


__all__ = [
    "CONVERSATION_VERIFICATION_LIMIT",
    "LOGIN_LIMIT",
    "LOGIN_WINDOW",
    "VERIFICATION_LIMIT",
    "VERIFICATION_WINDOW",
    "LoginAttempt",
    "Throttled",
    "VerificationAttempt",
    "check_login",
    "clear_failed_logins",
    "record_failed_login",
    "record_failed_verification",
    "verification_tries_left",
]
