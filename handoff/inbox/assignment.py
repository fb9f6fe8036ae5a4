"""What agents do with handoffs: list the queue, open one, claim, transfer, write notes.

After a claim or transfer the gateway tells the customer (a system line and the new state)
and the inbox (a `handoff` event).

State changes are single conditional UPDATEs (`… WHERE status = 'queued'`) checked by
rowcount, so two agents clicking "claim" at the same moment cannot both win, on SQLite
or PostgreSQL, without holding row locks across the request.

A queued handoff reaches the queue only once announced (`announced_at`): the action server
creates it mid-turn, and an agent joining before the bot's "connecting you…" reply is stored
would reach the customer out of order. The idle sweeper announces one whose turn got lost.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def _with_relations(statement: Select) -> Select:
    # Everything the serializers touch, loaded in a few queries instead of one per row.
    return statement.options(
        selectinload(Handoff.agent),
        selectinload(Handoff.notes).selectinload(Note.agent),
        selectinload(Handoff.conversation).selectinload(Conversation.customer),
        selectinload(Handoff.conversation).selectinload(Conversation.messages),
    )


def _statuses(status: str) -> Sequence[HandoffStatus]:
    return OPEN_STATUSES if status == "open" else (HandoffStatus(status),)


def list_handoffs(session: Session, status: str = "open", limit: int = 200) -> list[Handoff]:
    """Queue order: highest priority first, then the longest waiting (oldest) first.

    Queued handoffs are listed once announced; assigned and resolved ones all are.
    """
    statement = (
        select(Handoff)
        .where(Handoff.status.in_(_statuses(status)),
               (Handoff.status != HandoffStatus.queued) | Handoff.announced_at.is_not(None))
        .order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
        .limit(limit)
    )
    if status == "resolved":  # history: the most recently resolved first
        statement = statement.order_by(None).order_by(Handoff.resolved_at.desc(), Handoff.id)
    return list(session.execute(_with_relations(statement)).scalars())


def get_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.execute(
        _with_relations(select(Handoff).where(Handoff.id == handoff_id))
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


async def _tell_everyone(session: Session, conversation_id: str, event: str,
                         agent: Agent) -> None:
    """Customer and inbox learn the new state: a system line in the chat, then `announce`.

    The gateway reads the new state in its own session, so ours is committed first.
    """
    session.commit()
    from handoff.conversations import flow

    if event == "claimed":
        await flow.agent_joined(conversation_id, agent.display_name)  # announces too
    else:
        await flow.system_message(conversation_id, "transferred")
        await flow.announce(conversation_id)


async def claim_handoff(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    """Assign a queued, announced handoff to `agent`. Claiming one's own again is a no-op."""
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
        handoff = get_handoff(session, handoff_id)
        if held_by(handoff, agent):
            return handoff
        if handoff.status == HandoffStatus.resolved:
            raise Conflict("Handoff is already resolved")
        if handoff.status == HandoffStatus.queued and handoff.announced_at is None:
            raise Conflict(STILL_BEING_CREATED)
        raise Conflict("Handoff is already claimed by another agent")
    handoff = get_handoff(session, handoff_id)
    await _tell_everyone(session, handoff.conversation_id, "claimed", agent)
    return get_handoff(session, handoff_id)


async def transfer_handoff(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    """Put an assigned handoff back in the queue for anyone to claim.

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
    if result.rowcount != 1:
        handoff = get_handoff(session, handoff_id)
        if handoff.status == HandoffStatus.queued:
            raise Conflict("Handoff is already in the queue")
        if handoff.status == HandoffStatus.resolved:
            raise Conflict("Handoff is already resolved")
        raise Conflict("Handoff is assigned to another agent")
    handoff = get_handoff(session, handoff_id)
    await _tell_everyone(session, handoff.conversation_id, "transferred", agent)
    return get_handoff(session, handoff_id)


def require_held(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    """The handoff, when `agent` holds it; what replying, typing and resolving need."""
    handoff = get_handoff(session, handoff_id)
    if not held_by(handoff, agent):
        raise Conflict("Claim the handoff before working on it")
    return handoff


def handoff_view(handoff: Handoff, viewer: Agent, *, detail: bool = True) -> dict:
    """Handoff JSON as `viewer` may see it: raw only for the agent working it."""
    data = handoff_detail_json(handoff) if detail else handoff_summary_json(handoff)
    return data if held_by(handoff, viewer) else redact_json(data)


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
    "add_note",
    "claim_handoff",
    "get_handoff",
    "handoff_view",
    "held_by",
    "is_supervisor",
    "list_handoffs",
    "require_held",
    "transfer_handoff",
]
