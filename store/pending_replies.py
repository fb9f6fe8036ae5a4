"""Customer messages awaiting the bot's reply, each held by one gateway on a lease.

A customer message that goes to the bot is stored with `reply_pending_until` set: the
gateway handling its turn holds it until then and renews it while it waits for Rasa. When
the turn ends (the replies stored, or the customer queued for a person) the marker is
cleared in the same transaction. A gateway killed mid-turn stops renewing: once the lease
lapses, any instance may claim the message (compare-and-set on the old lease, so exactly
one does) and finish the turn (handoff.conversations.awaiting_reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import Conversation, Message, utcnow

LEASE = timedelta(seconds=20)  # renewed every few seconds by the holder (RENEW_SECONDS)
RENEW_SECONDS = 5.0


def lease_end(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + LEASE


def renew(session: Session, message_id: int) -> None:
    """Extend the lease of a message still awaiting its reply (a cleared one stays clear)."""
    session.execute(update(Message).where(
        Message.id == message_id, Message.reply_pending_until.is_not(None),
    ).values(reply_pending_until=lease_end()).execution_options(synchronize_session=False))


def clear(session: Session, message_id: int) -> None:
    """The message's bot turn is over (call it in the transaction that records the end)."""
    session.execute(update(Message).where(Message.id == message_id)
                    .values(reply_pending_until=None)
                    .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class PendingReply:
    """A customer message whose turn this instance has just taken over."""

    id: int
    conversation_id: str
    seq: int
    text: str
    payload: str | None

    @property
    def rasa_message_id(self) -> str:
        """The id the gateway gave the message in Rasa's tracker (flow.customer_message)."""
        return f"{self.conversation_id}-{self.seq}"


def claim_lapsed(session: Session, *, limit: int = 20, now: datetime | None = None,
                 ) -> list[PendingReply]:
    """Messages whose holder's lease lapsed, now leased to the caller.

    Each claim is an UPDATE conditioned on the lease the caller saw: when two instances
    sweep at once, only one of them changes the row, and only that one gets the message.
    """
    now = now or utcnow()
    lapsed = session.execute(
        select(Message.id, Message.reply_pending_until)
        .where(Message.reply_pending_until < now)
        .order_by(Message.reply_pending_until).limit(limit)).all()
    claimed = []
    for message_id, seen in lapsed:
        taken = session.execute(
            update(Message).where(Message.id == message_id,
                                  Message.reply_pending_until == seen)
            .values(reply_pending_until=lease_end(now))
            .execution_options(synchronize_session=False)).rowcount
        if taken:
            message = session.get(Message, message_id)
            claimed.append(PendingReply(message.id, message.conversation_id, message.seq,
                                        message.text, message.payload))
    return claimed


def oldest_pending(session: Session) -> datetime | None:
    """When the longest-waiting message still awaiting the bot was written (for /metrics)."""
    return session.execute(
        select(Message.created_at).where(Message.reply_pending_until.is_not(None))
        .order_by(Message.created_at).limit(1)).scalar()


def conversation_of(session: Session, message_id: int) -> Conversation:
    return session.get(Message, message_id).conversation
