"""When nobody can answer soon, the website chat offers to send the reply by email or WhatsApp
and takes the address, with consent, in the conversation itself.

The offer follows the bot's wait message when a handoff is announced and the wait is not
soon (store.waits: after hours, nobody online, or longer than LONG_WAIT_MINUTES). Its
buttons' payloads start with "follow_up:" and are answered here, never by the bot or an
agent. The address is the next thing the customer types: once it is valid it is stored
with the conversation (store.follow_up) and confirmed, masked. Anything else still reaches
the agent. What the assistant says here is stored as bot messages by the flow, which owns
the message path; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from handoff.texts import customer_text
from store import follow_up
from store.conversations import open_handoff
from store.models import Conversation, HandoffStatus, Owner
from store.settings import Settings, get_settings
from store.waits import current_wait

PAYLOAD_PREFIX = "follow_up:"
STAY = "stay"


@dataclass(frozen=True)
class Turn:
    """What the assistant answers, and whether the customer's message also goes on to the
    agent or the bot (button clicks and addresses do not)."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    route: bool = False


def available_channels(settings: Settings | None = None) -> list[str]:
    settings = settings or get_settings()
    return ([follow_up.EMAIL] if settings.follow_up.email_enabled else []) + (
        [follow_up.WHATSAPP] if settings.whatsapp.enabled else [])


def _say(key: str, language: str | None, buttons: list[str] = (), **values: str) -> dict:
    return {"text": customer_text(f"follow_up.{key}", language, **values),
            "buttons": [{"title": customer_text(f"follow_up.button_{choice}", language),
                         "payload": PAYLOAD_PREFIX + choice} for choice in buttons]}


def offer(session: Session, conversation: Conversation) -> list[dict[str, Any]]:
    """The offer, when this website customer will not be answered soon (else nothing)."""
    channels = available_channels()
    if conversation.channel != "web" or conversation.follow_up_address or not channels:
        return []
    handoff = open_handoff(session, conversation.id)
    if handoff is None or handoff.status != HandoffStatus.queued:
        return []
    if current_wait(session, handoff).answers_soon():
        return []
    return [_say("offer", conversation.language, [*channels, STAY])]


def on_customer_message(session: Session, conversation: Conversation, text: str,
                        payload: str | None) -> Turn | None:
    """The follow-up's part of a customer message, or None when it is none of its business."""
    language = conversation.language
    if payload and payload.startswith(PAYLOAD_PREFIX):
        choice = payload.removeprefix(PAYLOAD_PREFIX)
        if choice in available_channels() and conversation.owner == Owner.human:
            follow_up.ask_for_address(conversation, choice)
            return Turn([_say(f"ask_{choice}", language, [STAY])])
        if follow_up.awaiting_address(conversation):
            follow_up.forget_address(conversation)
        return Turn([_say("staying", language)])
    via = follow_up.awaiting_address(conversation)
    if via is None:
        return None
    if conversation.owner != Owner.human:  # answered meanwhile: the question is moot
        follow_up.forget_address(conversation)
        return None
    address = follow_up.find_address(via, text)
    if address is None:
        return Turn([_say(f"invalid_{via}", language, [STAY])], route=True)
    follow_up.save_address(conversation, address)
    return Turn([_say(f"saved_{via}", language, address=follow_up.masked(address))])


__all__ = ["PAYLOAD_PREFIX", "Turn", "available_channels", "offer", "on_customer_message"]
