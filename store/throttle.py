"""Attempt counters kept in the database, so every process (API workers, action server) sees
the same count: failed logins per username and per client address, and failed order
verifications per conversation (per order number in it, and in all).

Logins are limited per account *and* client address, with growing delays instead of a
lockout: after LOGIN_LIMIT failures of one username from one address, the next attempt from
there waits LOGIN_FIRST_DELAY, doubling with every further failure up to LOGIN_MAX_DELAY.
Someone guessing at the admin's password from their address therefore slows down only
themselves: the admin, from another address, logs in as usual. One address trying many
usernames (password spraying) gets the same delays after LOGIN_ADDRESS_LIMIT failures.
Deciding and recording are one step under a lock (start_login), so concurrent guesses cannot
slip past the limit; an admin can clear an account's failures (clear_failed_logins).

A conversation may fail VERIFICATION_LIMIT times per order number and
CONVERSATION_VERIFICATION_LIMIT times in all within VERIFICATION_WINDOW.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, case, delete, func, select, text
from sqlalchemy.orm import Session

from store.db import Base
from store.models import as_utc, utcnow

LOGIN_LIMIT = 5  # failures of one username from one address before the delays start
LOGIN_ADDRESS_LIMIT = 20  # failures from one address, whatever the usernames
LOGIN_FIRST_DELAY = timedelta(seconds=30)
LOGIN_MAX_DELAY = timedelta(minutes=15)
LOGIN_WINDOW = timedelta(hours=1)  # older failures are forgotten
LOGIN_LOCK_KEY = 7_305_114  # PostgreSQL advisory lock: one login decision at a time
# Failed verifications a conversation may make within the window: of one order number, and
# of any. Failures in other conversations never count, so strangers guessing at an order
# cannot lock its owner out; opening conversation after conversation to guess is bounded by
# the chat's new-conversation limit per client address.
VERIFICATION_LIMIT = 3
CONVERSATION_VERIFICATION_LIMIT = 5
VERIFICATION_WINDOW = timedelta(hours=1)


class LoginAttempt(Base):
    """One login attempt, counted as failed unless its password proved right (then it is
    deleted); the username is stored lower-cased, as typed (it may not exist)."""

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



def _username(username: str) -> str:
    return (username or "").strip().lower()[:64]


def login_delay(failures: int, free: int = LOGIN_LIMIT) -> timedelta:
    """How long to wait after the last of `failures` failures: nothing below `free`, then
    LOGIN_FIRST_DELAY doubling with each failure, at most LOGIN_MAX_DELAY."""
    if failures < free:
        return timedelta(0)
    return min(LOGIN_MAX_DELAY, LOGIN_FIRST_DELAY * 2 ** min(failures - free, 16))


def _wait(session: Session, which, free: int, now: datetime) -> int:  # noqa: ANN001
    """Seconds until the attempts matching `which` may try again (0: now)."""
    count, last = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.attempted_at)).where(which)
    ).one()
    if last is None:
        return 0
    ready = as_utc(last) + login_delay(count, free)
    return max(0, math.ceil((ready - now).total_seconds()))


def _one_login_at_a_time(session: Session, now: datetime) -> None:
    """Holds a lock until the transaction ends. PostgreSQL: an advisory lock. SQLite: the
    first write of a transaction takes the database's write lock, and the prune below is
    this transaction's first write."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOGIN_LOCK_KEY})
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - LOGIN_WINDOW))


def start_login(session: Session, username: str, client_ip: str,
                now: datetime | None = None) -> None:
    """May this attempt check a password? Raises Throttled if not; else records it as a
    failure (login_succeeded takes it back). Decided and recorded under one lock, so twenty
    guesses at once check at most LOGIN_LIMIT passwords. Commit before the password check:
    that releases the lock and keeps the failure whatever happens next."""
    now, username, client_ip = now or utcnow(), _username(username), client_ip[:64]
    _one_login_at_a_time(session, now)
    wait = max(
        _wait(session, (LoginAttempt.username == username)
              & (LoginAttempt.client_ip == client_ip), LOGIN_LIMIT, now),
        _wait(session, LoginAttempt.client_ip == client_ip, LOGIN_ADDRESS_LIMIT, now))
    if wait:
        raise Throttled(wait)
    session.add(LoginAttempt(username=username, client_ip=client_ip, attempted_at=now))
    session.flush()


def login_succeeded(session: Session, username: str, client_ip: str) -> None:
    """The password was right: this username starts afresh from this address (its failures
    from other addresses, and this address's failures with other usernames, stay)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == _username(username),
                                               LoginAttempt.client_ip == client_ip[:64]))


def failed_logins(session: Session, username: str, now: datetime | None = None) -> int:
    """Recent failures of this username, from any address (shown to admins)."""
    return session.execute(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.username == _username(username),
        LoginAttempt.attempted_at > (now or utcnow()) - LOGIN_WINDOW)).scalar_one()


def clear_failed_logins(session: Session, username: str) -> int:
    """An admin lifts the delays of this username, from every address; returns how many
    failures were forgotten."""
    return session.execute(
        delete(LoginAttempt).where(LoginAttempt.username == _username(username))).rowcount


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
    "LOGIN_ADDRESS_LIMIT",
    "LOGIN_FIRST_DELAY",
    "LOGIN_LIMIT",
    "LOGIN_MAX_DELAY",
    "LOGIN_WINDOW",
    "VERIFICATION_LIMIT",
    "VERIFICATION_WINDOW",
    "LoginAttempt",
    "Throttled",
    "VerificationAttempt",
    "clear_failed_logins",
    "failed_logins",
    "login_delay",
    "login_succeeded",
    "record_failed_verification",
    "start_login",
    "verification_tries_left",
]
