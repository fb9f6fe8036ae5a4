"""The filters of the ops conversation list, shared by the list page and the export.

Every filter is an EXISTS subquery or a column comparison with bound parameters, so the
same statement runs on SQLite and PostgreSQL and one conversation is never returned twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from handoff.inbox.search import contains_pattern
from handoff.serialize import agent_json, iso
from store.models import (
    Agent,
    Conversation,
    Handoff,
    HandoffStatus,
    Message,
    Sender,
    SurveyAnswer,
)
from store.settings import get_settings

ResolvedBy = Literal["bot", "human"]
PREVIEW_CHARS = 140


@dataclass(frozen=True)
class ConversationFilters:
    q: str | None = None
    date_from: date | None = None  # store-local calendar days, `to` inclusive
    date_to: date | None = None
    channel: str | None = None
    language: str | None = None
    reason: str | None = None
    ces: int | None = None
    agent_id: int | None = None
    resolved_by: ResolvedBy | None = None


def local_day_start(day: date, tz_name: str | None = None) -> datetime:
    """Midnight of `day` in the store's time zone, as an aware datetime (compared in UTC)."""
    tz = ZoneInfo(tz_name or get_settings().timezone)
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


def local_day_end(day: date, tz_name: str | None = None) -> datetime:
    """Midnight after `day` (the end of a range that includes `day`; handoff.ops.days keeps
    days within 1900..9998)."""
    return local_day_start(day + timedelta(1), tz_name)


def _has_handoff(*conditions: Any) -> Any:
    return exists().where(Handoff.conversation_id == Conversation.id, *conditions)


def has_customer_message() -> Any:
    """A conversation exists for ops from the customer's first message or click. Older
    rows without one (a widget opened and never written in) are left out of every list,
    export and rate."""
    return exists().where(Message.conversation_id == Conversation.id,
                          Message.sender == Sender.customer)


def resolved_by_bot() -> Any:
    """Closed without a handoff: the definition containment also uses."""
    return and_(Conversation.closed_at.is_not(None), not_(_has_handoff()))


def resolved_by_human() -> Any:
    return _has_handoff(Handoff.status == HandoffStatus.resolved)


def conditions(filters: ConversationFilters) -> list[Any]:
    """WHERE clauses on Conversation for `filters` (only conversations a customer wrote in)."""
    where: list[Any] = [has_customer_message()]
    if filters.q:
        pattern = contains_pattern(filters.q)
        where.append(exists().where(Message.conversation_id == Conversation.id,
                                    Message.text.ilike(pattern, escape="\\")))
    if filters.date_from:
        where.append(Conversation.created_at >= local_day_start(filters.date_from))
    if filters.date_to:
        where.append(Conversation.created_at < local_day_end(filters.date_to))
    if filters.channel:
        where.append(Conversation.channel == filters.channel)
    if filters.language:
        where.append(Conversation.language == filters.language)
    if filters.reason:
        where.append(_has_handoff(Handoff.reason == filters.reason))
    if filters.ces is not None:
        where.append(exists().where(SurveyAnswer.conversation_id == Conversation.id,
                                    SurveyAnswer.score == filters.ces))
    if filters.agent_id is not None:
        where.append(or_(
            _has_handoff(Handoff.agent_id == filters.agent_id),
            exists().where(Message.conversation_id == Conversation.id,
                           Message.agent_id == filters.agent_id),
        ))
    if filters.resolved_by == "bot":
        where.append(resolved_by_bot())
    elif filters.resolved_by == "human":
        where.append(resolved_by_human())
    return where


def filtered(filters: ConversationFilters) -> Select:
    """Matching conversations, newest first."""
    return (select(Conversation).where(*conditions(filters))
            .order_by(Conversation.created_at.desc(), Conversation.id.desc()))


def count(session: Session, filters: ConversationFilters) -> int:
    return session.execute(
        select(func.count()).select_from(Conversation).where(*conditions(filters))
    ).scalar_one()


@dataclass
class ConversationFacts:
    """What summaries and exports say about a conversation besides its own columns."""

    reason: str | None = None
    agent: Agent | None = None
    human_resolved: bool = False
    has_handoff: bool = False
    ces_score: int | None = None
    ces_comment: str | None = None

    def resolved_by(self, conversation: Conversation) -> ResolvedBy | None:
        if self.human_resolved:
            return "human"
        if conversation.closed_at is not None and not self.has_handoff:
            return "bot"
        return None


def facts_for(session: Session, ids: list[str]) -> dict[str, ConversationFacts]:
    """Latest handoff and survey answer per conversation, in two queries for a page."""
    facts = {conversation_id: ConversationFacts() for conversation_id in ids}
    if not ids:
        return facts
    handoffs = session.execute(
        select(Handoff, Agent).outerjoin(Agent, Agent.id == Handoff.agent_id)
        .where(Handoff.conversation_id.in_(ids)).order_by(Handoff.id)
    ).all()
    for handoff, agent in handoffs:  # later handoffs overwrite earlier ones
        fact = facts[handoff.conversation_id]
        fact.has_handoff = True
        fact.reason = handoff.reason
        fact.agent = agent or fact.agent
        fact.human_resolved |= handoff.status == HandoffStatus.resolved
    answers = session.execute(
        select(SurveyAnswer.conversation_id, SurveyAnswer.score, SurveyAnswer.comment)
        .where(SurveyAnswer.conversation_id.in_(ids)).order_by(SurveyAnswer.id)
    ).all()
    for conversation_id, score, comment in answers:
        facts[conversation_id].ces_score = score
        facts[conversation_id].ces_comment = comment
    return facts


def _message_counts(session: Session, ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Message.conversation_id, func.count(Message.id))
        .where(Message.conversation_id.in_(ids)).group_by(Message.conversation_id)
    ).all()
    return dict(rows)


def previews_for(session: Session, ids: list[str]) -> dict[str, str]:
    """The customer's first message: what the conversation was about."""
    first = (
        select(Message.conversation_id, func.min(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(ids), Message.sender == Sender.customer)
        .group_by(Message.conversation_id).subquery()
    )
    rows = session.execute(
        select(Message.conversation_id, Message.text).join(
            first, and_(Message.conversation_id == first.c.conversation_id,
                        Message.seq == first.c.seq))
    ).all()
    return {conversation_id: text[:PREVIEW_CHARS] for conversation_id, text in rows}


def search(
    session: Session, filters: ConversationFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of ConversationSummary dicts (unredacted) and the total match count."""
    conversations = list(
        session.execute(filtered(filters).limit(limit).offset(offset)).scalars()
    )
    ids = [conversation.id for conversation in conversations]
    facts = facts_for(session, ids)
    counts = _message_counts(session, ids) if ids else {}
    previews = previews_for(session, ids) if ids else {}
    items = [
        {
            "id": conversation.id,
            "channel": conversation.channel,
            "language": conversation.language,
            "created_at": iso(conversation.created_at),
            "closed_at": iso(conversation.closed_at),
            "close_reason": conversation.close_reason,
            "resolved_by": facts[conversation.id].resolved_by(conversation),
            "reason": facts[conversation.id].reason,
            "agent": agent_json(facts[conversation.id].agent),
            "ces_score": facts[conversation.id].ces_score,
            "message_count": counts.get(conversation.id, 0),
            "preview": previews.get(conversation.id),
        }
        for conversation in conversations
    ]
    return items, count(session, filters)


__all__ = [
    "ConversationFacts",
    "ConversationFilters",
    "conditions",
    "count",
    "facts_for",
    "filtered",
    "has_customer_message",
    "local_day_end",
    "local_day_start",
    "previews_for",
    "resolved_by_bot",
    "resolved_by_human",
    "search",
]
