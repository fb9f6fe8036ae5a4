"""What Meta's webhook tells us: customer messages in, delivery statuses of ours.

A notification is trusted only when its X-Hub-Signature-256 matches the raw body. Meta
redelivers until it gets a 200 (and sometimes after), so every customer message is
handled once per wamid: the wamid is stored in Message.external_id and checked first.
Messages of one customer are processed one at a time, in the order they arrived.
A photo or video is downloaded from Meta first (media.py) and stored as an attachment; its
caption follows as the customer's own text message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.channels import channel_for
from handoff.channels.whatsapp import media
from handoff.channels.whatsapp.outbound import CHANNEL, record_delivery
from handoff.conversations import flow
from handoff.conversations.attachments import customer_attachment
from handoff.serialize import message_json
from handoff.texts import customer_text
from nlu.patterns import normalise_phone
from store import follow_up
from store.attachments import RefusedAttachment, Upload
from store.db import session_scope
from store.models import Conversation, Customer, Message, Owner, Sender
from store.transcript import MAX_MESSAGE_CHARS, InvalidMessage, append_message

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Meta's notifications are a few KiB; anything this big is not one
STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3}

_customer_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


def signature_matches(app_secret: str, body: bytes, header: str) -> bool:
    """X-Hub-Signature-256 is 'sha256=' + HMAC-SHA256 of the raw body with the app secret."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


# --- reading Meta's payload --------------------------------------------------------------------

@dataclass(frozen=True)
class InboundMessage:
    wamid: str
    wa_id: str
    profile_name: str | None
    kind: str  # text, interactive, button, image, …
    text: str | None  # what people read; None when we cannot read this kind
    payload: str | None = None  # what the bot receives for a tapped button or list row
    file: media.InboundMedia | None = None  # of an image, video or document


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str
    error: str | None


def _dicts(container: Any, key: str) -> list[dict[str, Any]]:
    """container[key] as a list of dicts, whatever Meta (or an attacker) put there."""
    items = container.get(key) if isinstance(container, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _dict(container: Any, key: str) -> dict[str, Any]:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, dict) else {}


def _text_and_payload(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """(text, payload) of the kinds we understand; (None, None) for the others."""
    kind = message.get("type")
    if kind == "text":
        return _dict(message, "text").get("body"), None
    if kind == "interactive":
        interactive = _dict(message, "interactive")
        reply = _dict(interactive, str(interactive.get("type")))
        if interactive.get("type") in ("button_reply", "list_reply") and reply.get("id"):
            return reply.get("title") or str(reply["id"]), str(reply["id"])
    if kind == "button":  # a quick-reply button of a template message
        button = _dict(message, "button")
        return button.get("text"), button.get("payload") or None
    return None, None


def _status_error(status: dict[str, Any]) -> str | None:
    errors = _dicts(status, "errors")
    if not errors:
        return None
    error = errors[0]
    details = _dict(error, "error_data").get("details")
    return (f"#{error.get('code')} {error.get('title') or error.get('message') or 'error'}"
            + (f": {details}" if details else ""))


def parse_notification(body: Any) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """Customer messages and statuses of a notification; anything malformed is skipped."""
    messages, statuses = [], []
    for entry in _dicts(body, "entry"):
        for change in _dicts(entry, "changes"):
            value = _dict(change, "value")
            names = {c.get("wa_id"): _dict(c, "profile").get("name")
                     for c in _dicts(value, "contacts")}
            for message in _dicts(value, "messages"):
                wamid, wa_id = message.get("id"), message.get("from")
                if not (isinstance(wamid, str) and isinstance(wa_id, str) and wa_id.isdigit()
                        and len(wa_id) <= 20 and len(wamid) <= 128):
                    logger.warning("WhatsApp message without usable id/sender skipped")
                    continue
                text, payload = _text_and_payload(message)
                kind = str(message.get("type") or "unknown")
                messages.append(InboundMessage(
                    wamid, wa_id, names.get(wa_id), kind,
                    text if isinstance(text, str) else None,
                    payload if isinstance(payload, str) else None,
                    media.inbound_media(kind, _dict(message, kind))))
            for status in _dicts(value, "statuses"):
                if isinstance(status.get("id"), str) and isinstance(status.get("status"), str):
                    statuses.append(StatusUpdate(status["id"], status["status"],
                                                 _status_error(status)))
    return messages, statuses


# --- acting on it --------------------------------------------------------------------------------

async def process_notification(body: Any) -> None:
    """Runs in the background after the webhook answered 200; one bad item never stops the rest."""
    messages, statuses = parse_notification(body)
    for status in statuses:
        try:
            await asyncio.to_thread(apply_status, status)
        except Exception:
            logger.exception("WhatsApp status %s not recorded", status.wamid)
    for message in messages:
        try:
            async with _customer_locks[message.wa_id]:
                await receive(message)
        except Exception:
            logger.exception("WhatsApp message %s not handled", message.wamid)


def apply_status(update: StatusUpdate) -> None:
    """Record sent/delivered/read/failed on our message; late, older statuses don't undo newer."""
    with session_scope() as session:
        message = session.execute(
            select(Message).where(Message.external_id == update.wamid)
        ).scalar_one_or_none()
        if message is None or message.sender == Sender.customer:
            return
        message_id, current = message.id, message.delivery_status
    if update.status != "failed" and (
        current == "failed"
        or STATUS_ORDER.get(update.status, 0) <= STATUS_ORDER.get(current or "", 0)
    ):
        return
    record_delivery(message_id, update.status, error=update.error)


def _already_received(wamid: str) -> bool:
    with session_scope() as session:
        return bool(session.execute(select(exists().where(Message.external_id == wamid))).scalar())


def customer_for(session: Session, wa_id: str, profile_name: str | None) -> Customer:
    """The customer with this wa_id; else the one with this phone number (e.g. known from the
    website), who gets the wa_id; else a new customer."""
    customer = session.execute(
        select(Customer).where(Customer.wa_id == wa_id)
    ).scalar_one_or_none()
    phone = normalise_phone("+" + wa_id)
    if customer is None and phone:
        customer = session.execute(
            select(Customer).where(Customer.phone == phone, Customer.wa_id.is_(None))
            .order_by(Customer.id)
        ).scalars().first()
    if customer is None:
        customer = Customer(phone=phone)
        session.add(customer)
    customer.wa_id = wa_id
    customer.name = customer.name or (profile_name or "")[:120] or None
    session.flush()
    return customer


def _followed_up_on_whatsapp(session: Session, wa_id: str) -> str | None:
    """The open website conversation whose replies go to this WhatsApp number: an answer to a
    follow-up continues it (the customer never repeats anything)."""
    return session.execute(
        select(Conversation.id).where(
            Conversation.follow_up_via == follow_up.WHATSAPP,
            Conversation.follow_up_address == "+" + wa_id, Conversation.closed_at.is_(None))
        .order_by(Conversation.created_at.desc())
    ).scalars().first()


def _conversation_for(wa_id: str, profile_name: str | None) -> str:
    """The web conversation followed up on this number, else the customer's open WhatsApp
    conversation, else a new one."""
    with session_scope() as session:
        followed_up = _followed_up_on_whatsapp(session, wa_id)
        if followed_up:
            return followed_up
        customer = customer_for(session, wa_id, profile_name)
        customer_id = customer.id
        conversation_id = session.execute(
            select(Conversation.id).where(
                Conversation.customer_id == customer_id, Conversation.channel == CHANNEL,
                Conversation.closed_at.is_(None))
            .order_by(Conversation.created_at.desc())
        ).scalars().first()
    if conversation_id:
        return conversation_id
    conversation_id, _token = flow.start_conversation(channel=CHANNEL, customer_id=customer_id)
    return conversation_id


def _client_message_id(wamid: str) -> str:
    """The gateway's per-conversation retry key (64 chars max; wamids can be longer)."""
    return "wa-" + hashlib.sha256(wamid.encode()).hexdigest()[:48]


async def receive(message: InboundMessage) -> None:
    """Store and route one customer message, once per wamid. The database work runs in
    worker threads: the event loop serves every other customer meanwhile."""
    if await asyncio.to_thread(_already_received, message.wamid):
        return
    handle = await _handler(message)
    for _attempt in range(2):
        conversation_id = await asyncio.to_thread(
            _conversation_for, message.wa_id, message.profile_name)
        try:
            await handle(conversation_id, message)
            return
        except flow.UnknownConversation:
            continue  # closed a moment ago: the second round starts a new conversation
        except IntegrityError:  # another delivery of the same wamid won the race
            logger.info("WhatsApp message %s was already stored", message.wamid)
            return
        except InvalidMessage as error:
            logger.info("WhatsApp message %s not stored: %s", message.wamid, error.detail)
            return


Handler = Callable[[str, InboundMessage], Awaitable[None]]


async def _handler(message: InboundMessage) -> Handler:
    """How to route the message; a file is downloaded here, once, before any conversation is
    touched (the download takes a while and must not be repeated by a retry below)."""
    if message.file is not None:
        try:
            return partial(_with_file, await media.fetch(message.file))
        except media.MediaRefused as refusal:
            return partial(_refused_file, refusal.error, refusal.limit)
    return _unreadable if message.text is None else _readable


async def _to_gateway(
    conversation_id: str, message: InboundMessage, text: str, payload: str | None = None
) -> None:
    """The gateway's customer message path, with the wamid kept on the stored message."""
    stored, new = await flow.customer_message(
        conversation_id, text, payload=payload,
        client_message_id=_client_message_id(message.wamid))
    if new:
        await asyncio.to_thread(_keep_wamid, stored["id"], message.wamid)


def _keep_wamid(message_id: int, wamid: str) -> None:
    with session_scope() as session:
        session.get(Message, message_id).external_id = wamid


async def _readable(conversation_id: str, message: InboundMessage) -> None:
    try:
        await _to_gateway(conversation_id, message, message.text or "", message.payload)
    except InvalidMessage as error:
        if error.error != "too_long":
            raise
        # Never cut: the customer still has the whole text and is asked to send it in parts.
        await _answer(conversation_id, "web.too_long", limit=MAX_MESSAGE_CHARS)


async def _with_file(upload: Upload, conversation_id: str, message: InboundMessage) -> None:
    """The file as the customer's attachment message (to the person serving them, or the bot
    offers one), then the caption as their own words, which the bot or agent reads."""
    try:
        stored, new = await customer_attachment(
            conversation_id, upload, client_message_id=_client_message_id(message.wamid))
    except RefusedAttachment as refusal:  # the content is not what the type claimed
        await _refused_file(refusal.error, refusal.limit, conversation_id, message)
        return
    if new:
        await asyncio.to_thread(_keep_wamid, stored["id"], message.wamid)
    await _caption(conversation_id, message)


async def _refused_file(error: str, limit: int | None, conversation_id: str,
                        message: InboundMessage) -> None:
    """A file we could not keep: a placeholder (the agent sees that something came), a polite
    answer saying what to do, and the caption, which is still worth reading."""
    if error == "too_large" and limit:
        await _unreadable(conversation_id, message, "whatsapp.media_too_large",
                          limit_mb=f"{limit / 1024 / 1024:.3g}")
    elif error in ("unsupported_type", "empty"):
        await _unreadable(conversation_id, message, "whatsapp.media_unsupported_type")
    else:
        await _unreadable(conversation_id, message, "whatsapp.not_downloaded")
    await _caption(conversation_id, message)


async def _caption(conversation_id: str, message: InboundMessage) -> None:
    caption = message.file.caption if message.file else None
    if caption:  # its own retry key: the wamid is the file's
        await flow.customer_message(conversation_id, caption,
                                    client_message_id=_client_message_id(message.wamid + "/c"))


async def _unreadable(conversation_id: str, message: InboundMessage,
                      answer: str = "whatsapp.only_text", **values: object) -> None:
    """Stickers, audio, location, reactions, contacts, unknown kinds and files we could not
    keep: a placeholder and a polite answer (`answer`, what to do instead).

    A person who owns the conversation sees the placeholder in the inbox; the bot never gets
    it (its NLU would only guess). Either way it is in the transcript and, like any customer
    message, reopens the 24-hour window.
    """
    placeholder = "[" + (re.sub(r"[^a-z_]", "", message.kind.lower())[:20] or "message") + "]"
    if await asyncio.to_thread(_store_unless_human, conversation_id, message, placeholder):
        await _to_gateway(conversation_id, message, placeholder)
    await _answer(conversation_id, answer, **values)


def _store_unless_human(conversation_id: str, message: InboundMessage, placeholder: str) -> bool:
    """Stores the placeholder where the bot owns the conversation; True when a person does
    (then it goes the gateway's way, to the inbox)."""
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.closed_at is not None:
            raise flow.UnknownConversation(conversation_id)
        if conversation.owner == Owner.human:
            return True
        stored = append_message(session, conversation_id, Sender.customer, placeholder,
                                external_id=message.wamid)
        conversation.last_customer_message_at = stored.created_at
        return False


async def _answer(conversation_id: str, key: str, **values: object) -> None:
    """A notice of the gateway's own, in the customer's language, stored and sent."""
    answer = await asyncio.to_thread(_store_notice, conversation_id, key, values)
    await channel_for(CHANNEL).deliver_message(conversation_id, answer)


def _store_notice(conversation_id: str, key: str, values: dict[str, object]) -> dict[str, Any]:
    with session_scope() as session:
        language = session.get(Conversation, conversation_id).language
        return message_json(append_message(session, conversation_id, Sender.system,
                                           customer_text(key, language, **values)))
