"""Plain-dict views of stored rows, shared by the API, live events and the widget."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from handoff.summaries import summaries
from store.attachments import attachment_json
from store.models import Agent, Customer, Handoff, Message, Note, as_utc


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def agent_json(agent: Agent | None) -> dict[str, Any] | None:
    if agent is None:
        return None
    return {"id": agent.id, "username": agent.username, "display_name": agent.display_name,
            "role": agent.role.value}


def customer_json(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {"id": customer.id, "name": customer.name, "email": customer.email,
            "phone": customer.phone, "wa_id": customer.wa_id}


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender": message.sender.value,
        "text": message.text,
        "buttons": message.buttons or None,
        "agent": {"id": message.agent.id, "display_name": message.agent.display_name}
        if message.agent else None,
        "created_at": iso(message.created_at),
        "delivery_status": message.delivery_status,
        "delivery_error": message.delivery_error,
        "client_message_id": message.client_message_id,
        "attachment": attachment_json(message.attachment),
    }


def note_json(note: Note) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "agent": agent_json(note.agent),
            "created_at": iso(note.created_at)}


def _seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((as_utc(end) - as_utc(start)).total_seconds()))


def handoff_summary_json(handoff: Handoff, now: datetime | None = None) -> dict[str, Any]:
    conversation = handoff.conversation
    now = now or datetime.now(timezone.utc)
    last = conversation.messages[-1] if conversation.messages else None
    waiting_until = handoff.assigned_at or handoff.resolved_at or now
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "status": handoff.status.value,
        "reason": handoff.reason,
        "priority": handoff.priority,
        "summary": handoff.summary,
        "summaries": summaries(handoff),  # per staff-page language
        "channel": conversation.channel,
        "language": conversation.language,
        "customer": customer_json(conversation.customer),
        "agent": agent_json(handoff.agent),
        "created_at": iso(handoff.created_at),
        "assigned_at": iso(handoff.assigned_at),
        "first_agent_reply_at": iso(handoff.first_agent_reply_at),
        "resolved_at": iso(handoff.resolved_at),
        "waiting_seconds": _seconds_between(handoff.created_at, waiting_until),
        # Where replies go while the customer is away from the chat (store.follow_up).
        "follow_up": {"via": conversation.follow_up_via, "address": conversation.follow_up_address}
        if conversation.follow_up_address else None,
        # The kind of a photo or video, so a list can say "[Photo]" where the text is empty.
        "last_message": {"sender": last.sender.value, "text": last.text[:300],
                         "attachment_kind": last.attachment.kind if last.attachment else None,
                         "created_at": iso(last.created_at)} if last else None,
    }


def handoff_detail_json(handoff: Handoff, now: datetime | None = None) -> dict[str, Any]:
    return {**handoff_summary_json(handoff, now), "context": handoff.context or {},
            "notes": [note_json(n) for n in handoff.notes]}
