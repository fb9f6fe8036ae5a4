"""Passwords (argon2) and API tokens (random, stored as sha256 hashes, expiring).

Tokens are opaque random strings rather than JWTs so that logout and deactivating an agent
take effect at once: every request looks the hash up in `api_tokens`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import Agent, ApiToken, as_utc, utcnow
from store.settings import get_settings


class AuthError(Exception):
    """Credentials or token not accepted (always answered with one vague 401)."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so timing does not reveal usernames.
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def token_lifetime() -> timedelta:
    """TOKEN_HOURS (default 12): one working shift, then log in again."""
    return timedelta(hours=get_settings().token_hours)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()



def authenticate(session: Session, username: str, password: str) -> Agent:
    """The active agent with these credentials; upgrades outdated hashes on the way."""
    agent = session.execute(
        select(Agent).where(Agent.username == username.strip().lower())
    ).scalar_one_or_none()
    if agent is None or not agent.is_active:
        verify_password(_dummy_hash(), password)
        raise AuthError("Invalid username or password")
    if not verify_password(agent.password_hash, password):
        raise AuthError("Invalid username or password")
    if _hasher().check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    return agent


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown to the client once; only its hash is stored
    expires_at: datetime


def issue_token(session: Session, agent: Agent, now: datetime | None = None) -> IssuedToken:
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = now + token_lifetime()
    session.add(ApiToken(agent_id=agent.id, token_hash=hash_token(token), created_at=now,
                         expires_at=expires_at))
    session.flush()
    return IssuedToken(token=token, expires_at=expires_at)


def valid_token(session: Session, token: str, now: datetime | None = None) -> ApiToken:
    """This token, while it is unexpired and unrevoked and its agent active."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:
        raise AuthError("Invalid or expired token")
    if row.agent is None or not row.agent.is_active:
        raise AuthError("Invalid or expired token")
    return row


def agent_for_token(session: Session, token: str, now: datetime | None = None) -> Agent:
    """The active agent owning this unexpired, unrevoked token."""
    return valid_token(session, token, now).agent


def revoke_token(session: Session, token: str) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_agent_tokens(session: Session, agent_id: int) -> int:
    """Ends every session of an agent (password change, deactivation); returns how many
    were still open."""
    return session.execute(
        update(ApiToken)
        .where(ApiToken.agent_id == agent_id, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > utcnow())
        .values(revoked_at=utcnow())
    ).rowcount


__all__ = [
    "AuthError",
    "IssuedToken",
    "agent_for_token",
    "authenticate",
    "generate_password",
    "hash_password",
    "hash_token",
    "issue_token",
    "revoke_agent_tokens",
    "revoke_token",
    "token_lifetime",
    "valid_token",
    "verify_password",
]
