"""Ops review of conversations: search, one transcript, streamed export.

Everything is redacted unless an ops/admin asks for `unredacted=true`, or the caller is
the agent currently working a handoff of that conversation (they need the real data).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handoff.auth.deps import MAX_ROW_ID, InboxAgent, OpsAgent, SessionDep
from handoff.inbox.assignment import held_by, is_supervisor
from handoff.ops import search
from handoff.ops.days import FromDay, ToDay, checked_days
from handoff.ops.export import MEDIA_TYPES, ExportFormat, export_stream
from handoff.ops.schemas import ConversationDetail, ConversationList
from handoff.redaction import redact_json
from handoff.schemas import NO_NUL
from handoff.serialize import customer_json, handoff_detail_json, iso, message_json
from store import audit
from store.models import Agent, Conversation, Handoff, Message, Note, SurveyAnswer, utcnow

router = APIRouter(tags=["conversations"])
PREVIOUS_LIMIT = 10


def conversation_filters(
    q: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                             description="text in any message")] = None,
    date_from: FromDay = None,
    date_to: ToDay = None,
    channel: Annotated[str | None, Query(max_length=16, pattern=NO_NUL)] = None,
    language: Annotated[str | None, Query(regex="^[a-z]{2}$")] = None,
    reason: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
    ces: Annotated[int | None, Query(ge=1, le=7)] = None,
    agent_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    resolved_by: Annotated[search.ResolvedBy | None, Query()] = None,
) -> search.ConversationFilters:
    checked_days(date_from, date_to)
    return search.ConversationFilters(
        q=q or None, date_from=date_from, date_to=date_to, channel=channel, language=language,
        reason=reason, ces=ces, agent_id=agent_id, resolved_by=resolved_by)


FiltersDep = Annotated[search.ConversationFilters, Depends(conversation_filters)]
Unredacted = Annotated[bool, Query(description="raw personal data (ops and admin only)")]


@router.get("/conversations", response_model=ConversationList)
def list_conversations(
    _agent: OpsAgent,
    session: SessionDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> dict:
    items, total = search.search(session, filters, limit=limit, offset=offset)
    return {"items": redact_json(items), "total": total}


@router.get("/conversations/export", response_class=StreamingResponse,
            responses={200: {"content": {MEDIA_TYPES["csv"]: {}, MEDIA_TYPES["jsonl"]: {}}}})
def export_conversations(
    request: Request,
    agent: OpsAgent,
    session: SessionDep,
    filters: FiltersDep,
    export_format: Annotated[ExportFormat, Query(alias="format")] = "csv",
    unredacted: Unredacted = False,
) -> StreamingResponse:
    # Audited before streaming starts; the row count is the match count at that moment.
    used = {key: value.isoformat() if isinstance(value, date) else value
            for key, value in asdict(filters).items() if value is not None}
    audit.record(session, agent, audit.EXPORT, details={
        "filters": used, "format": export_format, "unredacted": unredacted,
        "rows": search.count(session, filters)})
    filename = f"conversations-{utcnow():%Y%m%d-%H%M%S}.{export_format}"
    return StreamingResponse(
        export_stream(filters, export_format, redact=not unredacted,
                      base_url=str(request.base_url)),
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _load(session: Session, conversation_id: str) -> Conversation:
    conversation = session.execute(
        select(Conversation).where(Conversation.id == conversation_id).options(
            selectinload(Conversation.customer),
            selectinload(Conversation.messages).selectinload(Message.agent),
            selectinload(Conversation.handoffs).selectinload(Handoff.agent),
            selectinload(Conversation.handoffs).selectinload(Handoff.notes)
            .selectinload(Note.agent),
        )
    ).scalar_one_or_none()
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
    return conversation


def _survey(session: Session, conversation_id: str) -> dict[str, Any] | None:
    answer = session.execute(
        select(SurveyAnswer).where(SurveyAnswer.conversation_id == conversation_id)
        .order_by(SurveyAnswer.id.desc()).limit(1)
    ).scalar_one_or_none()
    if answer is None:
        return None
    return {"score": answer.score, "comment": answer.comment, "declined": answer.declined,
            "trigger": answer.trigger, "asked_at": iso(answer.asked_at),
            "answered_at": iso(answer.answered_at), "agent_id": answer.agent_id}


def _previous(session: Session, conversation: Conversation) -> list[dict[str, Any]]:
    """The customer's earlier conversations, so an agent sees a returning customer."""
    if conversation.customer_id is None:
        return []
    earlier = list(session.execute(
        select(Conversation).where(Conversation.customer_id == conversation.customer_id,
                                   Conversation.id != conversation.id,
                                   Conversation.created_at <= conversation.created_at,
                                   search.has_customer_message())
        .order_by(Conversation.created_at.desc()).limit(PREVIOUS_LIMIT)
    ).scalars())
    ids = [previous.id for previous in earlier]
    facts = search.facts_for(session, ids)
    summaries = dict(session.execute(
        select(Handoff.conversation_id, Handoff.summary).where(Handoff.conversation_id.in_(ids))
        .order_by(Handoff.id)
    ).all()) if ids else {}
    previews = search.previews_for(session, ids) if ids else {}
    return [{"id": previous.id, "channel": previous.channel,
             "created_at": iso(previous.created_at), "closed_at": iso(previous.closed_at),
             "summary": summaries.get(previous.id) or previews.get(previous.id),
             "resolved_by": facts[previous.id].resolved_by(previous)}
            for previous in earlier]


def conversation_detail(session: Session, conversation_id: str) -> dict[str, Any]:
    """ConversationDetail (unredacted): transcript, handoffs with notes, survey, history."""
    conversation = _load(session, conversation_id)
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "language": conversation.language,
        "owner": conversation.owner.value,
        "created_at": iso(conversation.created_at),
        "closed_at": iso(conversation.closed_at),
        "close_reason": conversation.close_reason,
        "customer": customer_json(conversation.customer),
        "messages": [message_json(message) for message in conversation.messages],
        "handoffs": [handoff_detail_json(handoff) for handoff in conversation.handoffs],
        "survey": _survey(session, conversation.id),
        "previous_conversations": _previous(session, conversation),
    }


def _works_on(session: Session, conversation_id: str, agent: Agent) -> bool:
    handoffs = session.execute(
        select(Handoff).where(Handoff.conversation_id == conversation_id)
    ).scalars()
    return any(held_by(handoff, agent) for handoff in handoffs)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(
    conversation_id: str,
    agent: InboxAgent,
    session: SessionDep,
    unredacted: Unredacted = False,
) -> dict:
    detail = conversation_detail(session, conversation_id)
    working = _works_on(session, conversation_id, agent)
    if unredacted and not (is_supervisor(agent) or working):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Unredacted data is for ops and admin")
    raw = working or unredacted
    if unredacted:
        audit.record(session, agent, audit.VIEW_UNREDACTED,
                     target=f"conversation:{conversation_id}",
                     details={"holds_handoff": working})
    return {**(detail if raw else redact_json(detail)), "redacted": not raw}
