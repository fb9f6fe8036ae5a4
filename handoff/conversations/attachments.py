"""A customer's photo or video in the message path: it goes to the person serving them, or,
while the bot serves them, the bot offers a person (it cannot look at pictures). An
agent's goes out like any agent message (flow.send_agent_message with an upload).
"""

from __future__ import annotations

import asyncio
from typing import Any

from handoff.channels import channel_for
from handoff.conversations import flow
from handoff.live import INBOX, hub
from handoff.monitoring import MESSAGES
from handoff.serialize import message_json
from handoff.texts import customer_text
from store.attachments import Upload, save_attachment
from store.conversations import open_handoff
from store.db import session_scope
from store.models import Owner, Sender
from store.transcript import append_message, find_by_client_id

HANDOFF_PAYLOAD = "/request_human"


async def customer_attachment(
    conversation_id: str, upload: Upload, *, client_message_id: str | None = None,
    prepared: flow.PreparedConversation | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store and route a customer's photo or video. Returns (the stored message, whether
    new); a retried upload (same client_message_id) is stored once."""
    stored, route = await asyncio.to_thread(
        _store_customer_attachment, conversation_id, upload, client_message_id, prepared)
    if route is None:
        return stored, False
    owner, channel, language, handoff_id = route
    MESSAGES.labels(channel, "customer", "in").inc()
    await channel_for(channel).deliver_message(conversation_id, stored)
    if owner == Owner.human:
        hub.publish(INBOX, {"event": "message", "data": {
            "conversation_id": conversation_id, "handoff_id": handoff_id, "message": stored}})
    else:
        await flow.bot_messages(conversation_id, [_offer_person(stored, language)])
    return stored, True


def _offer_person(stored: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The bot's honest answer to a picture: kept with the conversation, a person can look."""
    kind = stored["attachment"]["kind"]
    return {"text": customer_text(f"conversation.{kind}_received_by_bot", language),
            "buttons": [{"title": customer_text("conversation.talk_to_person", language),
                         "payload": HANDOFF_PAYLOAD}]}


def _store_customer_attachment(
    conversation_id: str, upload: Upload, client_message_id: str | None,
    prepared: flow.PreparedConversation | None,
) -> tuple[dict[str, Any], tuple | None]:
    with session_scope() as session:
        conversation = flow.open_conversation(session, conversation_id, prepared)
        if client_message_id:
            existing = find_by_client_id(session, conversation_id, client_message_id)
            if existing is not None:
                return message_json(existing), None
        attachment = save_attachment(session, conversation_id, upload)
        message = append_message(session, conversation_id, Sender.customer, "",
                                 client_message_id=client_message_id)
        message.attachment = attachment
        conversation.last_customer_message_at = message.created_at
        session.flush()
        handoff = open_handoff(session, conversation_id)
        return message_json(message), (conversation.owner, conversation.channel,
                                       conversation.language, handoff and handoff.id)


__all__ = ["customer_attachment"]
