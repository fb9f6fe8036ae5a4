"""Admin only: agent accounts and the audit log (who saw or exported personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select

from handoff.auth.accounts import AccountError, create_agent
from handoff.auth.deps import MAX_ROW_ID, SessionDep, require_role
from handoff.auth.schemas import AgentAccountList, AgentAccountOut, AuditEventList, NewAgentRequest
from handoff.schemas import NO_NUL
from handoff.serialize import agent_json, iso
from store import audit
from store.models import Agent, Role

router = APIRouter(tags=["admin"])
AdminAgent = Annotated[Agent, Depends(require_role(Role.admin.value))]


def _account_json(agent: Agent) -> dict[str, Any]:
    return {**agent_json(agent), "is_active": agent.is_active,
            "last_seen_at": iso(agent.last_seen_at)}


@router.get("/agents", response_model=AgentAccountList)
def list_agents(_admin: AdminAgent, session: SessionDep) -> dict:
    agents = session.execute(select(Agent).order_by(Agent.username)).scalars()
    return {"items": [_account_json(agent) for agent in agents]}


@router.post("/agents", response_model=AgentAccountOut,
             status_code=status.HTTP_201_CREATED)
def add_agent(body: NewAgentRequest, admin: AdminAgent, session: SessionDep) -> dict:
    try:
        agent = create_agent(session, username=body.username, display_name=body.display_name,
                             role=body.role, password=body.password)
    except AccountError as error:
        conflict = "taken" in str(error)
        raise HTTPException(status.HTTP_409_CONFLICT if conflict
                            else status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
    audit.record(session, admin, audit.CREATE_AGENT, target=f"agent:{agent.id}",
                 details={"username": agent.username, "role": agent.role.value})
    return _account_json(agent)


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
