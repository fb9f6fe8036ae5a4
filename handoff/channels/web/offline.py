"""Website customers who left the chat still get the answer: what they missed goes to the
email address or WhatsApp number they left (handoff.conversations.follow_up).

Every bot, agent or system message delivered on the web channel schedules a look a few
seconds later (so a burst, such as "resolved" and the survey question, is one email, and a
widget that was only reconnecting is not emailed); system notices alone ("Rina joined")
wait for the next agent or bot message. If no widget shows the conversation then
(store.follow_up.widget_present), the messages after the last one the customer reached are
claimed (a conditional update, so one gateway instance sends them) and sent: an email with
a link that reopens the same conversation, or WhatsApp messages (the approved template when
the 24-hour window is closed). The idle sweep calls forward_pending() for anything a
restart interrupted. A failure is shown to the agent, never to the customer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from handoff.channels.email import outbound as email
from handoff.channels.whatsapp import graph_api
from handoff.channels.whatsapp import outbound as whatsapp
from handoff.live import INBOX, hub
from handoff.serialize import message_json
from handoff.texts import customer_text, supported
from store import follow_up
from store.db import session_scope
from store.models import Conversation, Message, Sender, as_utc, utcnow
from store.settings import get_settings

logger = logging.getLogger(__name__)

FORWARD_DELAY_SECONDS = 5.0
SAYS_SOMETHING = (Sender.agent, Sender.bot)  # system notices ride along with these
LINK_FRAGMENT = "tokonusa-chat"  # widget.js opens #tokonusa-chat=<conversation>.<token>
_scheduled: dict[str, asyncio.Task] = {}
_again: set[str] = set()


@dataclass(frozen=True)
class Missed:
    """Messages one customer missed, claimed for sending to their follow-up address."""

    conversation_id: str
    via: str
    address: str
    language: str
    messages: list[dict[str, Any]]
    consent_at: datetime
    link: str
    link_expires: datetime
    whatsapp_window_open: bool


def forward_soon(conversation_id: str) -> None:
    """Called for every non-customer message the web channel delivers."""
    if conversation_id in _scheduled:
        _again.add(conversation_id)  # came in while a look was pending: look once more
        return
    task = asyncio.get_running_loop().create_task(_forward_later(conversation_id))
    _scheduled[conversation_id] = task
    task.add_done_callback(lambda done: _finished(conversation_id, done))


def _finished(conversation_id: str, task: asyncio.Task) -> None:
    _scheduled.pop(conversation_id, None)
    _again.discard(conversation_id)
    if not task.cancelled() and task.exception() is not None:
        logger.error("Forwarding to an offline customer failed", exc_info=task.exception())


async def _forward_later(conversation_id: str) -> None:
    while True:
        _again.discard(conversation_id)
        await asyncio.sleep(FORWARD_DELAY_SECONDS)
        await forward(conversation_id)
        if conversation_id not in _again:
            return


async def drain(timeout: float = 30.0) -> None:
    """Wait for the scheduled forwards (tests)."""
    pending = list(_scheduled.values())
    if pending:
        await asyncio.wait(pending, timeout=timeout)


async def cancel_pending() -> None:
    """At shutdown: the idle sweep of a running instance forwards them instead."""
    pending = list(_scheduled.values())
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)


async def forward(conversation_id: str) -> bool:
    """Send what the customer missed, if they are away and left an address. True if sent."""
    missed = await asyncio.to_thread(_claim_missed, conversation_id)
    if missed is None:
        return False
    try:
        external_id = await _send(missed)
    except (email.EmailSendError, graph_api.WhatsAppSendError, ValueError) as error:
        logger.warning("Follow-up to %s by %s failed: %s", conversation_id, missed.via, error)
        await asyncio.to_thread(_record, missed, "failed", str(error), None)
        return False
    await asyncio.to_thread(_record, missed, "sent", None, external_id)
    return True


def _claim_missed(conversation_id: str, now: datetime | None = None) -> Missed | None:
    now = now or utcnow()
    settings = get_settings().follow_up
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if (conversation is None or not conversation.follow_up_address
                or follow_up.widget_present(conversation, now)):
            return None
        seen = conversation.customer_reached_seq
        messages = session.execute(
            select(Message).where(Message.conversation_id == conversation_id,
                                  Message.seq > seen, Message.sender != Sender.customer)
            .order_by(Message.seq)).scalars().all()
        if not any(m.sender in SAYS_SOMETHING for m in messages):
            return None  # "Rina joined" alone is no reason to write; it goes with the reply
        if not follow_up.mark_reached(session, conversation_id, seen, messages[-1].seq):
            return None
        token = follow_up.create_resume_link(session, conversation_id,
                                             days=settings.resume_link_days, now=now)
        return Missed(
            conversation_id=conversation_id, via=conversation.follow_up_via,
            address=conversation.follow_up_address,
            language=supported(conversation.language),
            messages=[message_json(message) for message in messages],
            consent_at=conversation.follow_up_consent_at or now,
            link=resume_link(conversation_id, token),
            link_expires=now + timedelta(days=settings.resume_link_days),
            whatsapp_window_open=_whatsapp_window_open(session, conversation_id, now))


def resume_link(conversation_id: str, token: str) -> str:
    """CHAT_PAGE_URL with the conversation in the fragment (never sent to any server)."""
    parts = urlsplit(get_settings().follow_up.chat_page_url)
    return urlunsplit(parts._replace(fragment=f"{LINK_FRAGMENT}={conversation_id}.{token}"))


def _whatsapp_window_open(session: Session, conversation_id: str, now: datetime) -> bool:
    """Whether the customer wrote from WhatsApp into this conversation in the last 24 h
    (their answers to a follow-up land here: handoff.channels.whatsapp.inbound)."""
    return bool(session.execute(select(exists().where(
        Message.conversation_id == conversation_id, Message.sender == Sender.customer,
        Message.external_id.is_not(None),
        Message.created_at > as_utc(now) - whatsapp.WINDOW))).scalar())


def _who(message: dict[str, Any], language: str) -> str:
    if message["sender"] == "agent":
        return (message.get("agent") or {}).get("display_name") or customer_text(
            "email.agent", language)
    return customer_text("email.bot", language) if message["sender"] == "bot" else ""


async def _send(missed: Missed) -> str | None:
    if missed.via == follow_up.EMAIL:
        lines = [email.MissedLine(_who(m, missed.language), _said(m, missed.language),
                                  tuple(b["title"] for b in m.get("buttons") or ()))
                 for m in missed.messages]
        await email.send(email.compose(
            to=missed.address, language=missed.language, lines=lines, link=missed.link,
            link_expires=missed.link_expires, consent_at=missed.consent_at))
        return None
    wa_id = missed.address.lstrip("+")
    if missed.whatsapp_window_open:
        wamid = None
        for message in missed.messages:
            wamid = await whatsapp.send_text(
                wa_id, _with_who(message, missed.language), message.get("buttons"),
                missed.language, window_open=True)
        return wamid
    # Outside the window one template message carries it all, with the link to the chat.
    text = " ".join(_with_who(message, missed.language) for message in missed.messages)
    return await whatsapp.send_text(
        wa_id, customer_text("follow_up.whatsapp_template", missed.language, text=text,
                             link=missed.link),
        None, missed.language, window_open=False)


def _said(message: dict[str, Any], language: str) -> str:
    """The message as text: a photo or video is named, to be seen in the chat (its file is
    only served to the conversation's own widget)."""
    attachment = message.get("attachment")
    if not attachment:
        return message["text"]
    sent = customer_text(f"follow_up.sent_{attachment['kind']}", language)
    return f"{message['text']} {sent}".strip()


def _with_who(message: dict[str, Any], language: str) -> str:
    who = _who(message, language)
    return f"{who}: {_said(message, language)}" if who else _said(message, language)


def _record(missed: Missed, status: str, error: str | None, external_id: str | None) -> None:
    """Delivery status on each forwarded message, shown to agents (a `delivery` event); the
    customer never sees an error."""
    ids = [message["id"] for message in missed.messages]
    with session_scope() as session:
        updated = []
        for message in session.execute(select(Message).where(Message.id.in_(ids))
                                       .order_by(Message.seq)).scalars():
            message.delivery_status, message.delivery_error = status, error
            if external_id and message.id == ids[-1]:
                message.external_id = external_id
            updated.append(message_json(message))
    for message in updated:
        hub.publish(INBOX, {"event": "delivery", "data": {
            "conversation_id": missed.conversation_id, "message": message}})


def pending_conversations(session: Session, now: datetime | None = None) -> list[str]:
    """Conversations with an address whose customer is away and missed something."""
    now = now or utcnow()
    unreached = exists().where(Message.conversation_id == Conversation.id,
                               Message.seq > Conversation.customer_reached_seq,
                               Message.sender.in_(SAYS_SOMETHING))
    return list(session.execute(
        select(Conversation.id).where(
            Conversation.follow_up_address.is_not(None), unreached,
            (Conversation.widget_seen_at.is_(None))
            | (Conversation.widget_seen_at < now - follow_up.PRESENCE_WINDOW))
    ).scalars())


def _pending() -> list[str]:
    with session_scope() as session:
        return pending_conversations(session)


async def forward_pending() -> int:
    """Forward for every conversation that missed something (the idle sweep calls this)."""
    waiting = await asyncio.to_thread(_pending)
    sent = 0
    for conversation_id in waiting:
        if conversation_id not in _scheduled:
            sent += await forward(conversation_id)
    return sent


__all__ = ["FORWARD_DELAY_SECONDS", "Missed", "cancel_pending", "drain", "forward",
           "forward_pending", "forward_soon", "pending_conversations", "resume_link"]
