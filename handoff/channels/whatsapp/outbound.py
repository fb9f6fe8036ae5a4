"""WhatsApp (Meta Cloud API): stored messages become WhatsApp messages to the customer's wa_id.

Bot buttons become reply buttons (up to three) or a list (more, e.g. the 1–7 CES question
with "skip"), long texts are split at WhatsApp's limit, and every send is recorded on the
message (wamid, delivery status, error) so the agent can see what reached the customer.
Free-form messages may only be sent within 24 hours of the customer's last message; outside
that window the approved template of WHATSAPP_TEMPLATE_NAME carries the text (its body's one
parameter), and without one nothing is sent and the message is marked failed.
A photo or video is uploaded and sent with the text as its caption (media.py); a template
cannot carry it, so outside the window the template only says that a file is waiting.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from handoff.channels import ReplyWindowClosed, register
from handoff.channels.whatsapp import graph_api, media
from handoff.live import INBOX, hub
from handoff.serialize import message_json
from handoff.texts import customer_text, supported
from store.conversations import open_handoff
from store.db import session_scope
from store.models import Conversation, Message, Owner, Sender, as_utc, utcnow
from store.settings import get_settings
from store.transcript import append_message

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
TEXT_LIMIT = 4096  # characters in a text message
BODY_LIMIT = 1024  # characters in the body of an interactive message
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
ROW_DESCRIPTION_LIMIT = 72
# A template parameter may hold no line breaks, tabs or runs of spaces; the approved body
# around it is short, and the whole message stays under WhatsApp's 1024 characters.
TEMPLATE_PARAMETER_LIMIT = 900

WINDOW_CLOSED = str(ReplyWindowClosed())

# The notice for each state a widget would show as its status line.
STATE_TEXTS = {"queued": "whatsapp.queued", "assigned": "conversation.agent_joined",
               "closed": "whatsapp.closed"}


def reachable(conversation: Conversation, now: datetime) -> bool:
    """Whether a message can reach the customer now: the window is open, or a template can
    reopen it."""
    return within_window(conversation, now) or bool(get_settings().follow_up.whatsapp_template)


def _state_text_key(state: dict[str, Any]) -> str:
    """A queued customer hears the wait the way the widget shows it (store.waits)."""
    if state["state"] != "queued":
        return STATE_TEXTS[state["state"]]
    if state.get("back_at_label"):
        return "whatsapp.queued_back_at"
    return "whatsapp.queued" if state.get("wait_minutes") else "whatsapp.queued_no_agent"


def within_window(conversation: Conversation, now: datetime) -> bool:
    """Whether WhatsApp still accepts free-form messages: 24 h after the customer last wrote."""
    last = conversation.last_customer_message_at
    return last is not None and as_utc(now) - as_utc(last) < WINDOW


# --- text and buttons as Graph API message objects ---------------------------------------------

def _cut(text: str, limit: int) -> int:
    """Where to end a piece of at most `limit` characters: a line break or space if near."""
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, limit // 2, limit)
        if at > 0:
            return at
    return limit


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between words where possible."""
    pieces, rest = [], text.strip()
    while len(rest) > limit:
        at = _cut(rest, limit)
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    return pieces + [rest] if rest else pieces


def _short_last_piece(pieces: list[str], limit: int) -> list[str]:
    """The same text with a last piece short enough for an interactive message's body."""
    *head, last = pieces or [""]
    if len(last) <= limit:
        return [*head, last]
    start = len(last) - limit
    space = last.find(" ", start, start + limit // 2)
    at = space if space >= 0 else start
    return [*head, last[:at].rstrip(), last[at:].lstrip()]


def _text_message(to: str, body: str) -> dict[str, Any]:
    return {"to": to, "type": "text", "text": {"preview_url": False, "body": body}}


def _reply_buttons(buttons: list[dict[str, str]]) -> dict[str, Any]:
    return {"type": "button", "action": {"buttons": [
        {"type": "reply", "reply": {"id": b["payload"], "title": b["title"][:BUTTON_TITLE_LIMIT]}}
        for b in buttons]}}


def _list(buttons: list[dict[str, str]], language: str) -> dict[str, Any]:
    rows = []
    for button in buttons[:MAX_LIST_ROWS]:
        row = {"id": button["payload"], "title": button["title"][:ROW_TITLE_LIMIT]}
        if len(button["title"]) > ROW_TITLE_LIMIT:  # keep the full wording readable
            row["description"] = button["title"][:ROW_DESCRIPTION_LIMIT]
        rows.append(row)
    if len(buttons) > MAX_LIST_ROWS:
        logger.warning("WhatsApp lists hold %s rows; %s choices dropped",
                       MAX_LIST_ROWS, len(buttons) - MAX_LIST_ROWS)
    return {"type": "list", "action": {"button": customer_text("whatsapp.list_button", language),
                                       "sections": [{"rows": rows}]}}


def _usable(buttons: list[dict[str, str]] | None, id_limit: int) -> list[dict[str, str]]:
    """Buttons whose payload fits WhatsApp's id field (a cut payload would mean something else)."""
    usable = []
    for button in buttons or []:
        payload = str(button.get("payload") or "")
        if not payload or len(payload) > id_limit:
            logger.warning("Button payload unusable on WhatsApp: %r", payload[:80])
            continue
        usable.append({"payload": payload, "title": str(button.get("title") or payload).strip()})
    return usable


def outgoing_messages(
    to: str, text: str, buttons: list[dict[str, str]] | None = None, language: str = "id"
) -> list[dict[str, Any]]:
    """The Graph API message objects for one stored message, in sending order."""
    pieces = split_text(text)
    few = len(buttons or []) <= MAX_REPLY_BUTTONS
    choices = _usable(buttons, BUTTON_ID_LIMIT if few else ROW_ID_LIMIT)
    if not choices:
        return [_text_message(to, piece) for piece in pieces]
    *head, body = _short_last_piece(pieces, BODY_LIMIT)
    interactive = _reply_buttons(choices) if few else _list(choices, language)
    interactive["body"] = {"text": body or customer_text("whatsapp.list_button", language)}
    return [*(_text_message(to, piece) for piece in head),
            {"to": to, "type": "interactive", "interactive": interactive}]


def template_message(to: str, text: str, language: str) -> dict[str, Any]:
    """The approved template (WHATSAPP_TEMPLATE_NAME) with `text` as its body's parameter,
    for when the 24-hour window is closed (Cloud API "template" message)."""
    settings = get_settings().follow_up
    parameter = re.sub(r"\s+", " ", text).strip()
    if len(parameter) > TEMPLATE_PARAMETER_LIMIT:
        parameter = parameter[:TEMPLATE_PARAMETER_LIMIT - 1].rstrip() + "…"
    code = settings.whatsapp_template_languages.get(language, language)
    return {"to": to, "type": "template", "template": {
        "name": settings.whatsapp_template,
        "language": {"policy": "deterministic", "code": code},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}],
    }}


async def send_text(to: str, text: str, buttons: list[dict[str, str]] | None, language: str,
                    *, window_open: bool) -> str:
    """Send one message to a WhatsApp number: free-form (with its buttons) inside the
    24-hour window, else as the template; returns the last wamid."""
    if not get_settings().whatsapp.enabled:
        raise graph_api.WhatsAppSendError("The WhatsApp channel is not configured")
    if window_open:
        payloads = outgoing_messages(to, text, buttons, language)
    elif get_settings().follow_up.whatsapp_template:
        payloads = [template_message(to, text, language)]
    else:
        raise graph_api.WhatsAppSendError(WINDOW_CLOSED)
    wamid = ""
    for payload in payloads:
        wamid = await graph_api.send_message(payload)
    return wamid


async def send_attachment(to: str, attachment: dict[str, Any], text: str,
                          buttons: list[dict[str, str]] | None, language: str) -> str:
    """Upload a stored photo or video and send it, the text as its caption when that fits
    (≤ 1024 characters, no buttons), else as messages of its own after the file. Returns
    the file's wamid: its statuses tell whether the customer got the file."""
    file = await asyncio.to_thread(media.outgoing_file, attachment["id"])
    media_id = await graph_api.upload_media(file.data, file.content_type, file.filename)
    as_caption = len(text) <= media.CAPTION_LIMIT and not buttons
    wamid = await graph_api.send_message(
        media.media_message(to, file, media_id, text if as_caption else None))
    if text and not as_caption:
        for payload in outgoing_messages(to, text, buttons, language):
            await graph_api.send_message(payload)
    return wamid


def _file_waiting(attachment: dict[str, Any], text: str, language: str) -> str:
    """What the template says for a file it cannot carry: that one waits, and the text."""
    notice = customer_text(f"whatsapp.{attachment['kind']}_waiting", language)
    return f"{notice} {text}".strip()


async def send_stored(to: str, message: dict[str, Any], language: str, *,
                      window_open: bool) -> tuple[str, str | None]:
    """Send a stored message, with its attachment if any; returns (wamid, a note for the
    agent when only the text went: a file outside the window)."""
    attachment = message.get("attachment")
    if not attachment:
        return await send_text(to, message["text"], message.get("buttons"), language,
                               window_open=window_open), None
    if window_open:
        if not get_settings().whatsapp.enabled:
            raise graph_api.WhatsAppSendError("The WhatsApp channel is not configured")
        return await send_attachment(to, attachment, message["text"], message.get("buttons"),
                                     language), None
    wamid = await send_text(to, _file_waiting(attachment, message["text"], language), None,
                            language, window_open=False)
    return wamid, (f"the {attachment['kind']} itself was not sent (24-hour window closed: "
                   "only the template went); send it again once the customer answers")


# --- delivery records -------------------------------------------------------------------------

def record_delivery(
    message_id: int, status: str, *, error: str | None = None, external_id: str | None = None,
    tell_agent: bool = False,
) -> None:
    """Store what WhatsApp did with a message; a failure (or, with `tell_agent`, the
    `error` note of a partial send) is shown to the agent who owns it."""
    with session_scope() as session:
        message = session.get(Message, message_id)
        if message is None:
            return
        message.delivery_status = status
        message.delivery_error = error
        if external_id:
            message.external_id = external_id
        conversation = message.conversation
        if not (status == "failed" or tell_agent) or conversation.owner != Owner.human:
            return
        text = customer_text("whatsapp.not_delivered", conversation.language, error=error or "?")
        notice = message_json(append_message(session, conversation.id, Sender.system, text))
        handoff = open_handoff(session, conversation.id)
        event = {"conversation_id": conversation.id,
                 "handoff_id": handoff.id if handoff else None, "message": notice}
    # Only the inbox hears about it: the customer cannot be reached, that is the point.
    hub.publish(INBOX, {"event": "message", "data": event})


def _recipient(conversation_id: str) -> tuple[str | None, str, bool]:
    """(wa_id, language, whether the 24-hour window is open) of a conversation."""
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return None, "id", False
        wa_id = conversation.customer.wa_id if conversation.customer else None
        return wa_id, supported(conversation.language), within_window(conversation, utcnow())


# --- the channel -----------------------------------------------------------------------------

def _state_since(session: Session, conversation: Conversation, state: str) -> datetime | None:
    """When the conversation entered `state` (the moment its notice is about)."""
    if state == "closed":
        return conversation.closed_at
    handoff = open_handoff(session, conversation.id)
    if handoff is None:
        return None
    return handoff.assigned_at if state == "assigned" else handoff.created_at


def _said_since(session: Session, conversation_id: str, since: datetime) -> bool:
    return bool(session.execute(select(exists().where(
        Message.conversation_id == conversation_id,
        Message.sender.in_((Sender.bot, Sender.system)),
        Message.created_at >= since))).scalar())


def _state_notice(conversation_id: str, state: dict[str, Any]) -> dict[str, Any] | None:
    """The stored notice for a new state, or None when the bot or gateway already said it."""
    kind = state["state"]
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        since = _state_since(session, conversation, kind) if conversation else None
        if since is None or _said_since(session, conversation_id, since):
            return None
        text = customer_text(_state_text_key(state), conversation.language,
                             minutes=state.get("wait_minutes"),
                             time=state.get("back_at_label"),
                             name=state.get("agent_name") or "")
        return message_json(append_message(session, conversation_id, Sender.system, text))


class WhatsAppChannel:
    """Delivers to the customer's phone through the Graph API (graph_api.py)."""

    name = CHANNEL
    # The gateway asks before an agent reply or a survey (handoff.conversations.flow._window_open).
    reachable = staticmethod(reachable)

    async def deliver_message(self, conversation_id: str, message: dict[str, Any]) -> None:
        if message["sender"] == "customer":
            return  # their own words are already on their phone
        wa_id, language, window_open = await asyncio.to_thread(_recipient, conversation_id)
        try:
            if not wa_id:
                raise graph_api.WhatsAppSendError("The customer has no WhatsApp number")
            wamid, note = await send_stored(wa_id, message, language, window_open=window_open)
        except graph_api.WhatsAppSendError as error:
            logger.warning("WhatsApp message %s not delivered: %s", message["id"], error)
            await asyncio.to_thread(record_delivery, message["id"], "failed", error=str(error))
            return
        # A split message has several wamids; the last one (buttons, end of text) is kept,
        # or the file's when there is one.
        await asyncio.to_thread(record_delivery, message["id"], "sent", error=note,
                                external_id=wamid, tell_agent=bool(note))

    async def deliver_state(self, conversation_id: str, state: dict[str, Any]) -> None:
        """A short notice for queued/assigned/closed, unless the bot or gateway said it."""
        if state.get("state") not in ("queued", "assigned", "closed"):
            return
        notice = await asyncio.to_thread(_state_notice, conversation_id, state)
        if notice:
            await self.deliver_message(conversation_id, notice)

    async def deliver_typing(self, conversation_id: str, agent_name: str) -> None:
        """WhatsApp shows no typing indicator for business replies: nothing to do."""


def register_if_configured() -> bool:
    """Called at app startup: conversations on "whatsapp" go out through this channel."""
    if not get_settings().whatsapp.enabled:
        return False
    register(WhatsAppChannel())
    return True
