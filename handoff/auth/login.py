"""Logging in and out of the agent inbox, changing one's password, and the presence heartbeat.

Both password checks are throttled per account and client address (store.throttle): the
attempt is recorded, under a lock, before the password is checked.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from handoff.auth import accounts
from handoff.auth.credentials import AuthError, authenticate, issue_token, revoke_token
from handoff.auth.deps import BearerDep, CurrentAgent, InboxAgent, SessionDep, bearer_token
from handoff.auth.schemas import LoginRequest, LoginResponse, PasswordChangeRequest
from handoff.schemas import AgentOut
from handoff.serialize import agent_json, iso
from store import throttle
from store.models import Agent

router = APIRouter(tags=["auth"])
THROTTLED = {429: {"description": "Too many failed attempts; see Retry-After"}}


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _may_check_password(session: Session, username: str, client_ip: str) -> None:
    """429 while this account is throttled from this address; else the attempt is recorded
    as a failure (and committed) before the password is checked."""
    try:
        throttle.start_login(session, username, client_ip)
    except throttle.Throttled as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            "Too many failed attempts; try again later",
                            headers={"Retry-After": str(error.retry_after)}) from error
    session.commit()


def _new_session(session: Session, agent: Agent) -> dict:
    issued = issue_token(session, agent)
    return {"token": issued.token, "expires_at": iso(issued.expires_at),
            "agent": agent_json(agent)}


@router.post("/auth/login", response_model=LoginResponse, responses=THROTTLED)
def login(body: LoginRequest, request: Request, session: SessionDep) -> dict:
    client_ip = _client_ip(request)
    _may_check_password(session, body.username, client_ip)
    try:
        agent = authenticate(session, body.username, body.password)
    except AuthError as error:  # the failure recorded above stays
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error
    throttle.login_succeeded(session, body.username, client_ip)
    return _new_session(session, agent)


@router.post("/auth/password", response_model=LoginResponse,
             responses={**THROTTLED, 403: {"description": "The current password is wrong"}})
def change_password(body: PasswordChangeRequest, request: Request, agent: CurrentAgent,
                    session: SessionDep) -> dict:
    """A new password for the caller. Every session of the account ends (other browsers,
    event streams); the answer carries a new token for this one."""
    client_ip = _client_ip(request)
    _may_check_password(session, agent.username, client_ip)
    try:
        accounts.change_own_password(session, agent, body.current_password, body.new_password)
    except AuthError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    except accounts.AccountError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
    throttle.login_succeeded(session, agent.username, client_ip)
    return _new_session(session, agent)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(_agent: CurrentAgent, credentials: BearerDep, session: SessionDep) -> Response:
    revoke_token(session, bearer_token(credentials) or "")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", response_model=AgentOut)
def me(agent: CurrentAgent) -> dict:
    return agent_json(agent)


@router.post("/agents/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
def heartbeat(agent: InboxAgent, session: SessionDep) -> Response:
    accounts.touch_agent(session, agent)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
