"""Shared FastAPI dependencies: one database session per request, the calling agent, roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from handoff.auth.credentials import AuthError, valid_token
from store.db import session_scope
from store.models import Agent, ApiToken, Role, as_utc

# Largest id a PostgreSQL INTEGER column holds (SQLite overflows past 2**63): larger ids,
# offsets or filters in a request are answered with 422 instead of a database error.
MAX_ROW_ID = 2**31 - 1

INBOX_ROLES = (Role.agent.value, Role.ops.value, Role.admin.value)
OPS_ROLES = (Role.ops.value, Role.admin.value)

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")


def get_session() -> Iterator[Session]:
    """One unit of work per request: committed when the route succeeds, else rolled back."""
    with session_scope() as session:
        yield session


# scope="function": commit before the response is sent, so a client's next request sees it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorized(detail: str = "Not authenticated") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail,
                         headers={"WWW-Authenticate": "Bearer"})


def _token_or_401(session: Session, token: str | None) -> ApiToken:
    if not token:
        raise _unauthorized()
    try:
        row = valid_token(session, token)
    except AuthError as error:
        raise _unauthorized(str(error)) from error
    # The connection goes back to the pool now: an async route must not hold one while it
    # awaits (its database work runs in worker threads with sessions of their own).
    session.commit()
    return row


def bearer_token(credentials: BearerDep) -> str | None:
    return credentials.credentials if credentials else None


def current_agent(session: SessionDep, credentials: BearerDep) -> Agent:
    """The agent behind `Authorization: Bearer <token>`; 401 otherwise."""
    return _token_or_401(session, bearer_token(credentials)).agent


@dataclass(frozen=True)
class StreamLogin:
    """Who follows the event stream: their token, checked again before every event, and
    when it expires (the stream ends then)."""

    token: str
    expires_at: datetime


def current_stream_login(
    session: SessionDep,
    credentials: BearerDep,
    token: Annotated[str | None, Query(description="EventSource cannot send headers")] = None,
) -> StreamLogin:
    """Like current_agent, but also reads `?token=`; used only by the event stream."""
    raw = bearer_token(credentials) or token
    return StreamLogin(raw, as_utc(_token_or_401(session, raw).expires_at))


CurrentAgent = Annotated[Agent, Depends(current_agent)]


def require_role(*roles: str) -> Callable[[Agent], Agent]:
    """A dependency admitting only agents with one of `roles` (403 for the others)."""
    allowed = frozenset(roles)

    def check_role(agent: CurrentAgent) -> Agent:
        if agent.role.value not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Not allowed for your role")
        return agent

    return check_role


InboxAgent = Annotated[Agent, Depends(require_role(*INBOX_ROLES))]
OpsAgent = Annotated[Agent, Depends(require_role(*OPS_ROLES))]
StreamLoginDep = Annotated[StreamLogin, Depends(current_stream_login)]


__all__ = [
    "INBOX_ROLES",
    "OPS_ROLES",
    "CurrentAgent",
    "InboxAgent",
    "OpsAgent",
    "SessionDep",
    "StreamLogin",
    "StreamLoginDep",
    "bearer_token",
    "current_agent",
    "current_stream_login",
    "get_session",
    "require_role",
]
