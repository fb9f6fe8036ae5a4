"""The team as the inbox and ops pages show it: who can be assigned a handoff, by name,
and who is online now (an inbox heartbeat within store.waits.ONLINE_WINDOW)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from handoff.auth.deps import InboxAgent, SessionDep
from handoff.inbox.schemas import TeamList
from handoff.serialize import agent_json
from store.models import Agent, as_utc, utcnow
from store.waits import ONLINE_WINDOW

router = APIRouter(tags=["team"])


@router.get("/team", response_model=TeamList)
def team(_agent: InboxAgent, session: SessionDep) -> dict:
    """Active accounts by display name (no account details: that is the admin's list)."""
    since = utcnow() - ONLINE_WINDOW
    agents = session.execute(
        select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.display_name, Agent.id)
    ).scalars()
    return {"items": [
        {**agent_json(agent),
         "online": agent.last_seen_at is not None and as_utc(agent.last_seen_at) >= since}
        for agent in agents]}
