"""Replies for website customers who left the chat: the address they left with consent (an
email or a WhatsApp number, stored with the conversation), whether a widget is showing the
conversation now, and links that reopen it.

The gateway asks for the address (handoff.conversations.follow_up) and forwards what the
customer missed (handoff.channels.web.offline); privacy export and delete cover all of it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from nlu.patterns import normalise_email, normalise_phone
from store.models import Conversation, ResumeLink, as_utc, utcnow

EMAIL, WHATSAPP = "email", "whatsapp"
CHANNELS = (EMAIL, WHATSAPP)
# A widget pings every 25 s: one silent for longer than this has gone (closed tab, dead link).
PRESENCE_WINDOW = timedelta(seconds=70)
_EMAIL_CANDIDATE = re.compile(r"\S+@\S+")
_PHONE_CANDIDATE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def find_address(via: str, text: str) -> str | None:
    """The email address or WhatsApp number (E.164) in what the customer typed, if any:
    'my email is Rina@Example.com.' -> 'rina@example.com', '0812-3456-7890' -> '+6281234567890'."""
    if via == EMAIL:
        candidates, normalise = _EMAIL_CANDIDATE.findall(text), normalise_email
    elif via == WHATSAPP:
        candidates, normalise = _PHONE_CANDIDATE.findall(text), normalise_phone
    else:
        raise ValueError(f"unknown follow-up channel {via!r}")
    return next((found for found in map(normalise, candidates) if found), None)


def masked(address: str) -> str:
    """'rina.wijaya@example.com' -> 'r***@example.com', '+6281234567890' -> '+62•••••••7890'."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:3] + "•" * max(0, len(address) - 7) + address[-4:]


def awaiting_address(conversation: Conversation) -> str | None:
    """The channel the customer chose while their address is still to come."""
    return conversation.follow_up_via if not conversation.follow_up_address else None


def ask_for_address(conversation: Conversation, via: str) -> None:
    if via not in CHANNELS:
        raise ValueError(f"unknown follow-up channel {via!r}")
    conversation.follow_up_via, conversation.follow_up_address = via, None
    conversation.follow_up_consent_at = None


def save_address(conversation: Conversation, address: str, now: datetime | None = None) -> None:
    """The customer typed it after being told what it is for: that is their consent."""
    conversation.follow_up_address = address
    conversation.follow_up_consent_at = now or utcnow()


def forget_address(conversation: Conversation) -> None:
    conversation.follow_up_via = conversation.follow_up_address = None
    conversation.follow_up_consent_at = None


# --- is the customer looking at the chat? -------------------------------------------------


def widget_seen(session: Session, conversation_id: str, shown_seq: int, *, present: bool,
                now: datetime | None = None) -> None:
    """A widget showed the conversation up to `shown_seq`; `present=False` when it left."""
    reached = case((Conversation.customer_reached_seq < shown_seq, shown_seq),
                   else_=Conversation.customer_reached_seq)
    session.execute(
        update(Conversation).where(Conversation.id == conversation_id)
        .values(widget_seen_at=(now or utcnow()) if present else None,
                customer_reached_seq=reached)
        .execution_options(synchronize_session=False))


def widget_present(conversation: Conversation, now: datetime | None = None) -> bool:
    seen = conversation.widget_seen_at
    return seen is not None and as_utc(now or utcnow()) - as_utc(seen) < PRESENCE_WINDOW


def mark_reached(session: Session, conversation_id: str, seen_seq: int, up_to_seq: int) -> bool:
    """Claim the messages after `seen_seq` up to `up_to_seq` for forwarding; False when
    another gateway instance (or a returning widget) got there first."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id,
               Conversation.customer_reached_seq == seen_seq)
        .values(customer_reached_seq=up_to_seq)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


# --- resume links --------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_resume_link(session: Session, conversation_id: str, *, days: float,
                       now: datetime | None = None) -> str:
    """A new token that reopens the conversation for `days`; only its hash is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    session.add(ResumeLink(conversation_id=conversation_id, token_hash=_token_hash(token),
                           created_at=now, expires_at=now + timedelta(days=days)))
    return token


def resume_link_valid(session: Session, conversation_id: str, token: str,
                      now: datetime | None = None) -> bool:
    if not token:
        return False
    expires = session.execute(
        select(ResumeLink.expires_at).where(ResumeLink.conversation_id == conversation_id,
                                            ResumeLink.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    return expires is not None and as_utc(expires) > as_utc(now or utcnow())


__all__ = ["CHANNELS", "EMAIL", "PRESENCE_WINDOW", "WHATSAPP", "ask_for_address",
           "awaiting_address", "create_resume_link", "find_address", "forget_address",
           "mark_reached", "masked", "resume_link_valid", "save_address", "widget_present",
           "widget_seen"]
