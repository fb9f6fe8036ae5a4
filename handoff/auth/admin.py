"""Admin only: agent accounts (create, deactivate, reactivate, reset a password, end sessions,
clear login failures) and the audit log (who saw or exported personal data, who changed an
account). The work and its audit entry are handoff.auth.accounts'."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.auth import accounts
from handoff.auth.deps import MAX_ROW_ID, SessionDep, require_role
from handoff.auth.schemas import (
    AgentAccountList,
    AgentAccountOut,
    AuditEventList,
    LoginFailuresClearedOut,
    NewAgentRequest,
    PasswordResetOut,
    PasswordResetRequest,
    SessionsEndedOut,
)
from handoff.schemas import NO_NUL
from handoff.serialize import agent_json, iso
from store import audit, throttle
from store.models import Agent, Role

router = APIRouter(tags=["admin"])
AdminAgent = Annotated[Agent, Depends(require_role(Role.admin.value))]
AgentId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
AGENT_PATH = "/agents/{agent_id}"


@contextmanager
def account_errors() -> Iterator[None]:
    """handoff.auth.accounts' refusals as HTTP answers."""
    try:
        yield
    except accounts.UnknownAccount as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Agent not found") from error
    except accounts.AccountConflict as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except accounts.AccountError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error


def _account_json(session: Session, agent: Agent) -> dict[str, Any]:
    return {**agent_json(agent), "is_active": agent.is_active,
            "last_seen_at": iso(agent.last_seen_at),
            "login_failures": throttle.failed_logins(session, agent.username)}


def _account(session: Session, agent_id: int) -> Agent:
    with account_errors():
        return accounts.find_agent(session, agent_id=agent_id)


@router.get("/agents", response_model=AgentAccountList)
def list_agents(_admin: AdminAgent, session: SessionDep) -> dict:
    agents = session.execute(select(Agent).order_by(Agent.username)).scalars().all()
    return {"items": [_account_json(session, agent) for agent in agents]}


@router.post("/agents", response_model=AgentAccountOut,
             status_code=status.HTTP_201_CREATED)
def add_agent(body: NewAgentRequest, admin: AdminAgent, session: SessionDep) -> dict:
    with account_errors():
        agent = accounts.add_account(session, by=admin, username=body.username,
                                     display_name=body.display_name, role=body.role,
                                     password=body.password)
    return _account_json(session, agent)


@router.post(AGENT_PATH + "/deactivate", response_model=AgentAccountOut)
def deactivate(agent_id: AgentId, admin: AdminAgent, session: SessionDep) -> dict:
    """The account can no longer log in; its sessions (and event streams) end now."""
    agent = _account(session, agent_id)
    with account_errors():
        accounts.deactivate_agent(session, agent, by=admin)
    return _account_json(session, agent)


@router.post(AGENT_PATH + "/reactivate", response_model=AgentAccountOut)
def reactivate(agent_id: AgentId, admin: AdminAgent, session: SessionDep) -> dict:
    agent = _account(session, agent_id)
    accounts.reactivate_agent(session, agent, by=admin)
    return _account_json(session, agent)


@router.post(AGENT_PATH + "/password", response_model=PasswordResetOut)
def reset_password(agent_id: AgentId, body: PasswordResetRequest, admin: AdminAgent,
                   session: SessionDep) -> dict:
    """A new password (generated and returned once when none is given); the account's
    sessions end."""
    agent = _account(session, agent_id)
    with account_errors():
        password = accounts.reset_password(session, agent, body.password, by=admin)
    return {"agent": _account_json(session, agent),
            "password": None if body.password else password}


@router.delete(AGENT_PATH + "/sessions", response_model=SessionsEndedOut)
def end_sessions(agent_id: AgentId, admin: AdminAgent, session: SessionDep) -> dict:
    """Logs the account out everywhere."""
    agent = _account(session, agent_id)
    return {"sessions_ended": accounts.end_sessions(session, agent, by=admin)}


@router.delete(AGENT_PATH + "/login-failures", response_model=LoginFailuresClearedOut)
def clear_login_failures(agent_id: AgentId, admin: AdminAgent, session: SessionDep) -> dict:
    """Lifts the account's login delays, from every address."""
    agent = _account(session, agent_id)
    return {"failures_cleared": accounts.clear_login_failures(session, agent, by=admin)}


@router.get("/audit", response_model=AuditEventList)
def audit_log(
    _admin: AdminAgent,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> dict:
    events, total = audit.list_events(session, action=action, limit=limit, offset=offset)
    return {"total": total, "items": [
        {"id": event.id, "created_at": iso(event.created_at), "agent_id": event.agent_id,
         "username": event.username, "action": event.action, "target": event.target,
         "details": event.details or {}} for event in events]}
