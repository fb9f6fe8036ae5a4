"""Logging in and out of the agent inbox, and the inbox's presence heartbeat."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from handoff.auth.accounts import touch_agent
from handoff.auth.credentials import AuthError, authenticate, issue_token, revoke_token
from handoff.auth.deps import BearerDep, CurrentAgent, InboxAgent, SessionDep, bearer_token
from handoff.auth.schemas import LoginRequest, LoginResponse
from handoff.schemas import AgentOut
from handoff.serialize import agent_json, iso
from store import throttle

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=LoginResponse,
             responses={429: {"description": "Too many failed logins; see Retry-After"}})
def login(body: LoginRequest, request: Request, session: SessionDep) -> dict:
    client_ip = request.client.host if request.client else "unknown"
    try:
        throttle.check_login(session, body.username, client_ip)
    except throttle.Throttled as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            "Too many failed logins; try again later",
                            headers={"Retry-After": str(error.retry_after)}) from error
    try:
        agent = authenticate(session, body.username, body.password)
    except AuthError as error:
        throttle.record_failed_login(session, body.username, client_ip)
        session.commit()  # the 401 below rolls the request back; the failure must stay
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error
    throttle.clear_failed_logins(session, body.username)
    issued = issue_token(session, agent)
    return {"token": issued.token, "expires_at": iso(issued.expires_at),
            "agent": agent_json(agent)}


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(_agent: CurrentAgent, credentials: BearerDep, session: SessionDep) -> Response:
    revoke_token(session, bearer_token(credentials) or "")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", response_model=AgentOut)
def me(agent: CurrentAgent) -> dict:
    return agent_json(agent)


@router.post("/agents/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
def heartbeat(agent: InboxAgent, session: SessionDep) -> Response:
    touch_agent(session, agent)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
