"""Conversations, handoffs and survey answers: the write functions the action server calls
(and the gateway shares), so neither process reaches into the other's code.

Every function takes the SQLAlchemy session as its first argument and leaves committing
to the caller's unit of work (store.db.session_scope).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.models import (
    Conversation,
    Customer,
    Handoff,
    HandoffStatus,
    Message,
    Owner,
    Sender,
    SurveyAnswer,
    utcnow,
)
from store.waits import estimate_wait, record_promise

REASON_PRIORITY = {"complaint": 2, "verification_failed": 1, "order_delayed": 1}


class HandoffError(Exception):
    """A handoff operation that cannot be done in the current state."""


def ensure_conversation(
    session: Session, conversation_id: str, *, channel: str = "web", language: str | None = None
) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel, language=language)
        session.add(conversation)
        session.flush()
    elif language and conversation.language != language:
        conversation.language = language
    return conversation


def identify_customer(
    session: Session, conversation_id: str, *, email: str | None = None,
    phone: str | None = None, name: str | None = None,
) -> Customer:
    """Link a conversation to the customer behind a verified order.

    Found by email, then phone, so a customer who verified on the website and writes later
    on WhatsApp (same phone) is one customer, and agents see both conversations.
    """
    conversation = ensure_conversation(session, conversation_id)
    customer = conversation.customer
    if customer is None:
        matches = [Customer.email == email] if email else []
        matches += [Customer.phone == phone] if phone else []
        customer = session.execute(
            select(Customer).where(or_(*matches)).order_by(Customer.id)
        ).scalars().first() if matches else None
        if customer is None:
            customer = Customer()
            session.add(customer)
        conversation.customer = customer
    customer.email = customer.email or email
    customer.phone = customer.phone or phone
    customer.name = customer.name or name
    session.flush()
    return customer


def open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.execute(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status != HandoffStatus.resolved)
        .order_by(Handoff.id.desc())
    ).scalars().first()


def handoff_context(
    *,
    reason: str,
    summary: str,
    channel: str,
    language: str | None,
    transcript: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
    intents: list[dict[str, Any]] | None = None,
    order: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the agent sees before typing a word, in the one shape the inbox reads.

    Built by the escalation action from the Rasa tracker, and by the gateway from the stored
    transcript when the assistant could not answer at all.
    """
    return {
        "reason": reason,
        "summary": summary,
        "channel": channel,
        "language": language,
        "slots": slots or {},
        "intents": intents or [],
        "transcript": transcript,
        "order": order,
    }


def create_handoff(
    session: Session,
    *,
    conversation_id: str,
    reason: str,
    summary: str,
    context: dict[str, Any],
    channel: str = "web",
    language: str | None = None,
    priority: int | None = None,
) -> Handoff:
    """Queue the conversation for a person, with the wait promised to the customer
    (store.waits). Idempotent: an open handoff is returned as is."""
    conversation = ensure_conversation(
        session, conversation_id, channel=channel, language=language
    )
    existing = open_handoff(session, conversation_id)
    if existing is not None:
        return existing
    handoff = Handoff(
        conversation_id=conversation.id,
        reason=reason,
        summary=summary,
        context=context,
        priority=REASON_PRIORITY.get(reason, 0) if priority is None else priority,
        status=HandoffStatus.queued,
    )
    conversation.owner = Owner.human
    session.add(handoff)
    session.flush()
    record_promise(handoff, estimate_wait(session, handoff=handoff))
    return handoff


def record_survey_asked(
    session: Session, *, conversation_id: str, trigger: str, channel: str = "web",
    language: str | None = None,
) -> SurveyAnswer:
    """Store that the CES question was asked; who handled the conversation is captured now."""
    conversation = ensure_conversation(
        session, conversation_id, channel=channel, language=language
    )
    last_handoff = session.execute(
        select(Handoff).where(Handoff.conversation_id == conversation.id)
        .order_by(Handoff.id.desc())
    ).scalars().first()
    answer = SurveyAnswer(
        conversation_id=conversation.id,
        channel=conversation.channel,
        language=language or conversation.language,
        trigger=trigger,
        human_involved=last_handoff is not None and last_handoff.agent_id is not None,
        escalation_reason=last_handoff.reason if last_handoff else None,
        agent_id=last_handoff.agent_id if last_handoff else None,
    )
    session.add(answer)
    session.flush()
    return answer


def record_survey_answer(
    session: Session, *, conversation_id: str, score: int | None, comment: str | None = None,
    declined: bool = False,
) -> SurveyAnswer:
    """Fill in the latest survey asked in this conversation."""
    if score is not None and not 1 <= score <= 7:
        raise ValueError(f"CES score must be between 1 and 7, got {score}")
    answer = session.execute(
        select(SurveyAnswer).where(SurveyAnswer.conversation_id == conversation_id)
        .order_by(SurveyAnswer.id.desc())
    ).scalars().first()
    if answer is None:
        raise HandoffError(f"No survey was asked in conversation {conversation_id}")
    answer.score = score
    answer.comment = (comment or None) and comment[:1000]
    answer.declined = declined
    answer.answered_at = utcnow()
    return answer


def close_conversation(session: Session, conversation_id: str, reason: str) -> None:
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.closed_at.is_(None))
        .values(closed_at=utcnow(), close_reason=reason)
    )


def transcript(session: Session, conversation_id: str) -> list[Message]:
    return list(session.execute(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
    ).scalars())


__all__ = [
    "HandoffError",
    "Sender",
    "close_conversation",
    "create_handoff",
    "ensure_conversation",
    "handoff_context",
    "identify_customer",
    "open_handoff",
    "record_survey_answer",
    "record_survey_asked",
    "transcript",
]
