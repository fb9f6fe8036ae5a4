"""What agents do with handoffs: list the queue, open one, claim, transfer, write notes.

After a claim or transfer is committed the gateway tells the customer (a system line and the
new state) and the inbox (a `handoff` event): tell_everyone.

State changes are single conditional UPDATEs (`… WHERE status = 'queued'`) checked by
rowcount, so two agents clicking "claim" at the same moment cannot both win, on SQLite
or PostgreSQL, without holding row locks across the request.

A queued handoff reaches the queue only once announced (`announced_at`): the action server
creates it mid-turn, and an agent joining before the bot's "connecting you…" reply is stored
would reach the customer out of order. The idle sweeper announces one whose turn got lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from handoff.redaction import redact_json
from handoff.serialize import handoff_detail_json, handoff_summary_json
from store.conversations import HandoffError
from store.models import Agent, Conversation, Handoff, HandoffStatus, Note, Role, utcnow

OPEN_STATUSES = (HandoffStatus.queued, HandoffStatus.assigned)
_SUPERVISOR_ROLES = (Role.ops, Role.admin)
STILL_BEING_CREATED = "Handoff is still being created; try again in a moment"


class HandoffNotFound(HandoffError):
    """No handoff with that id."""


class Conflict(HandoffError):
    """The handoff is not in a state that allows this (claimed by someone else, resolved…)."""


def with_relations(statement: Select) -> Select:
    # Everything the serializers touch, loaded in a few queries instead of one per row.
    return statement.options(
        selectinload(Handoff.agent),
        selectinload(Handoff.notes).selectinload(Note.agent),
        selectinload(Handoff.conversation).selectinload(Conversation.customer),
        selectinload(Handoff.conversation).selectinload(Conversation.messages),
    )


def _statuses(status: str) -> Sequence[HandoffStatus]:
    return OPEN_STATUSES if status == "open" else (HandoffStatus(status),)


def announced_or_past_queue() -> Any:
    """Queued handoffs are shown once announced; assigned and resolved ones all are."""
    return (Handoff.status != HandoffStatus.queued) | Handoff.announced_at.is_not(None)


def list_handoffs(
    session: Session, status: str = "open", limit: int = 200, *,
    agent_id: int | None = None, resolved_since: datetime | None = None,
) -> list[Handoff]:
    """Queue order: highest priority first, then the longest waiting (oldest) first.

    `agent_id` keeps the handoffs held by that agent, `resolved_since` those resolved since.
    """
    statement = (
        select(Handoff)
        .where(Handoff.status.in_(_statuses(status)), announced_or_past_queue())
        .order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
        .limit(limit)
    )
    if agent_id is not None:
        statement = statement.where(Handoff.agent_id == agent_id)
    if resolved_since is not None:
        statement = statement.where(Handoff.resolved_at >= resolved_since)
    if status == "resolved":  # history: the most recently resolved first
        statement = statement.order_by(None).order_by(Handoff.resolved_at.desc(), Handoff.id)
    return list(session.execute(with_relations(statement)).scalars())


def get_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.execute(
        with_relations(select(Handoff).where(Handoff.id == handoff_id))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if handoff is None:
        raise HandoffNotFound(f"Handoff {handoff_id} not found")
    return handoff


def is_supervisor(agent: Agent) -> bool:
    return agent.role in _SUPERVISOR_ROLES


def held_by(handoff: Handoff, agent: Agent) -> bool:
    """True while `agent` works this handoff (the only case the inbox shows raw data)."""
    return handoff.status == HandoffStatus.assigned and handoff.agent_id == agent.id


async def tell_everyone(conversation_id: str, event: str, agent: Agent) -> None:
    """After a claim or transfer, customer and inbox learn the new state: a system line in
    the chat, then `announce`. Called once the change is committed (the gateway reads it
    in sessions of its own)."""
    from handoff.conversations import flow

    if event == "claimed":
        await flow.agent_joined(conversation_id, agent.display_name)  # announces too
    else:
        await flow.system_message(conversation_id, "transferred")
        await flow.announce(conversation_id)


def claim_handoff(session: Session, handoff_id: int, agent: Agent) -> str | None:
    """Assign a queued, announced handoff to `agent`: the conversation id to tell_everyone
    about, or None when the agent already held it (claiming one's own again changes nothing).
    """
    now = utcnow()
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.queued,
               Handoff.announced_at.is_not(None))
        .values(status=HandoffStatus.assigned, agent_id=agent.id, assigned_at=now,
                # The customer's wait ends at the first claim (store.waits.mark_answered).
                answered_at=func.coalesce(Handoff.answered_at, now))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        _unchanged(session, handoff_id, agent,
                   otherwise="Handoff is already claimed by another agent")
        return None
    return get_handoff(session, handoff_id).conversation_id


def _unchanged(session: Session, handoff_id: int, holder: Agent, *, otherwise: str) -> None:
    """After an assigning UPDATE changed nothing: fine when `holder` holds the handoff
    already, else the Conflict that says why."""
    handoff = get_handoff(session, handoff_id)
    if held_by(handoff, holder):
        return
    if handoff.status == HandoffStatus.resolved:
        raise Conflict("Handoff is already resolved")
    if handoff.status == HandoffStatus.queued and handoff.announced_at is None:
        raise Conflict(STILL_BEING_CREATED)
    raise Conflict(otherwise)


def transfer_handoff(session: Session, handoff_id: int, agent: Agent) -> str:
    """Put an assigned handoff back in the queue for anyone to claim; returns the
    conversation id to tell_everyone about.

    The holder may transfer; ops and admins may take any handoff off an agent. The assignment
    times restart, so the next agent's wait and first response are measured from their claim.
    """
    condition = [Handoff.id == handoff_id, Handoff.status == HandoffStatus.assigned]
    if not is_supervisor(agent):
        condition.append(Handoff.agent_id == agent.id)
    result = session.execute(
        update(Handoff)
        .where(*condition)
        .values(status=HandoffStatus.queued, agent_id=None, assigned_at=None,
                first_agent_reply_at=None)
        .execution_options(synchronize_session=False)
    )
    handoff = get_handoff(session, handoff_id)
    if result.rowcount == 1:
        return handoff.conversation_id
    if handoff.status == HandoffStatus.queued:
        raise Conflict("Handoff is already in the queue")
    if handoff.status == HandoffStatus.resolved:
        raise Conflict("Handoff is already resolved")
    raise Conflict("Handoff is assigned to another agent")


class NotAnAgent(HandoffError):
    """The chosen assignee is no active inbox account."""


def assign_handoff(
    session: Session, handoff_id: int, assignee_id: int, by: Agent
) -> tuple[str, Agent] | None:
    """Ops and admins give a waiting handoff, or one another agent holds, to a named agent:
    the conversation id and the assignee to tell_everyone about ("claimed": the customer
    reads that the assignee joined), or None when the assignee held it already.

    The assignee's wait and first response are measured from now, as after a claim.
    """
    if not is_supervisor(by):
        raise Conflict("Only ops and admins assign handoffs to others")
    assignee = session.get(Agent, assignee_id)
    if assignee is None or not assignee.is_active:
        raise NotAnAgent(f"No active agent with id {assignee_id}")
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status.in_(OPEN_STATUSES),
               Handoff.announced_at.is_not(None),
               (Handoff.agent_id != assignee.id) | Handoff.agent_id.is_(None))
        .values(status=HandoffStatus.assigned, agent_id=assignee.id, assigned_at=utcnow(),
                first_agent_reply_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        _unchanged(session, handoff_id, assignee, otherwise=STILL_BEING_CREATED)
        return None
    return get_handoff(session, handoff_id).conversation_id, assignee


def require_held(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    """The handoff, when `agent` holds it; what replying, typing and resolving need."""
    handoff = get_handoff(session, handoff_id)
    if not held_by(handoff, agent):
        raise Conflict("Claim the handoff before working on it")
    return handoff


def as_seen_by(data: dict, holds_it: bool) -> dict:
    """Handoff data (views, live events) as an inbox user may see it: raw only for the agent
    working the handoff, redacted for everyone else."""
    return data if holds_it else redact_json(data)


def handoff_view(handoff: Handoff, viewer: Agent, *, detail: bool = True) -> dict:
    """Handoff JSON as `viewer` may see it (as_seen_by)."""
    data = handoff_detail_json(handoff) if detail else handoff_summary_json(handoff)
    return as_seen_by(data, held_by(handoff, viewer))


def add_note(session: Session, handoff_id: int, agent: Agent, text: str) -> Note:
    """An internal note (any state, any inbox user); never sent to the customer."""
    handoff = get_handoff(session, handoff_id)
    note = Note(handoff_id=handoff.id, agent_id=agent.id, text=text, agent=agent)
    session.add(note)
    session.flush()
    return note


__all__ = [
    "Conflict",
    "HandoffNotFound",
    "NotAnAgent",
    "add_note",
    "announced_or_past_queue",
    "as_seen_by",
    "assign_handoff",
    "claim_handoff",
    "get_handoff",
    "handoff_view",
    "held_by",
    "is_supervisor",
    "list_handoffs",
    "require_held",
    "tell_everyone",
    "transfer_handoff",
    "with_relations",
]
