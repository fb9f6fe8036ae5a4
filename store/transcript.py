"""The conversation transcript: appending messages in order (a gapless per-conversation
sequence), reading them back. Used by the gateway's flow and its channels."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import Conversation, Message, Sender, utcnow

MAX_MESSAGE_CHARS = 4000


class InvalidMessage(ValueError):
    """A message the gateway refuses to store (empty, too long)."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidMessage("invalid", "text must be a string")
    cleaned = text.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if not cleaned:
        raise InvalidMessage("invalid", "text must not be empty")
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise InvalidMessage("too_long", f"text is limited to {MAX_MESSAGE_CHARS} characters")
    return cleaned


def find_by_client_id(session: Session, conversation_id: str, client_id: str) -> Message | None:
    return session.execute(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_message_id == client_id
        )
    ).scalar_one_or_none()


def append_message(
    session: Session,
    conversation_id: str,
    sender: Sender,
    text: str,
    *,
    buttons: list[dict[str, str]] | None = None,
    agent_id: int | None = None,
    client_message_id: str | None = None,
    external_id: str | None = None,
) -> Message:
    """Store a message with the conversation's next sequence number.

    The counter is bumped with an UPDATE inside the caller's transaction, which locks the
    conversation row until commit, so concurrent writers get distinct, gapless numbers.
    """
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(next_seq=Conversation.next_seq + 1, last_message_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    seq = session.execute(
        select(Conversation.next_seq).where(Conversation.id == conversation_id)
    ).scalar_one() - 1
    message = Message(
        conversation_id=conversation_id, seq=seq, sender=sender, text=text, buttons=buttons,
        agent_id=agent_id, client_message_id=client_message_id, external_id=external_id,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def messages_after(session: Session, conversation_id: str, after_seq: int) -> list[Message]:
    return list(session.execute(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
        .order_by(Message.seq)
    ).scalars())
