"""No lost replies: a surviving gateway finishes the bot turn of one that died mid-turn.

Every customer message that goes to the bot awaits its reply, on a lease its gateway keeps
renewing (store.pending_replies). A gateway killed hard stops renewing; every SWEEP_SECONDS
each instance claims the messages whose lease lapsed (one instance gets each) and, holding
the conversation's turn, asks Rasa's tracker whether that message id was handled:
- it was (the gateway died after Rasa answered): the replies are read back from the
  tracker, stored and delivered, so Rasa does not answer the message a second time;
- it was not (the gateway or Rasa died first): the message is sent to the bot again;
- Rasa cannot say: the customer hears the apology and is queued for a person, as when Rasa
  is down, rather than waiting in silence.
"""

from __future__ import annotations

import asyncio
import logging

from handoff.conversations import flow, rasa_client
from handoff.conversations.sweeps import sweep_forever
from handoff.conversations.turn_lock import conversation_turn
from handoff.json_logs import log_context
from handoff.monitoring import TAKEN_OVER
from store import pending_replies
from store.db import session_scope
from store.models import Conversation, Owner
from store.pending_replies import PendingReply

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 5.0


def _claim() -> list[PendingReply]:
    with session_scope() as session:
        return pending_replies.claim_lapsed(session)


def _still_the_bots(message: PendingReply) -> dict | None:
    """The bot metadata when the bot still owns the open conversation, else None (and the
    message no longer awaits the bot: a person or nobody answers it now)."""
    with session_scope() as session:
        conversation = session.get(Conversation, message.conversation_id)
        if conversation.closed_at is None and conversation.owner == Owner.bot:
            return flow.bot_metadata(conversation)
        pending_replies.clear(session, message.id)
        return None


async def take_over(message: PendingReply) -> str:
    """Finish the turn of a message whose gateway stopped holding it; returns what was done
    ("recovered", "resent", "escalated" or "dropped")."""
    with log_context(message.conversation_id, message.rasa_message_id):
        outcome = await _finish_turn(message)
    TAKEN_OVER.labels(outcome).inc()
    return outcome


async def _finish_turn(message: PendingReply) -> str:
    conversation_id = message.conversation_id
    async with flow.holding_reply_lease(message.id), conversation_turn(conversation_id):
        try:
            replies = await rasa_client.replies_in_tracker(conversation_id,
                                                           message.rasa_message_id)
        except rasa_client.RasaUnavailable:
            logger.warning("Took over message %s; Rasa's tracker unreadable",
                           message.rasa_message_id)
            await flow.escalate_assistant_unavailable(conversation_id, "the Rasa server",
                                                      answered=message.id)
            return "escalated"
        if replies is not None:  # Rasa answered; the gateway died before storing it
            logger.info("Took over message %s: replies read back from Rasa's tracker",
                        message.rasa_message_id)
            await flow.bot_messages(conversation_id, replies, answered=message.id)
            return "recovered"
        metadata = await asyncio.to_thread(_still_the_bots, message)
        if metadata is None:
            return "dropped"
        logger.info("Took over message %s: sent to the bot again", message.rasa_message_id)
        await flow.bot_turn(conversation_id, message.id, message.seq,
                            message.payload or message.text, metadata)
        return "resent"


async def sweep_once() -> list[str]:
    """Take over every message whose lease lapsed; what was done with each."""
    claimed = await asyncio.to_thread(_claim)
    done = await asyncio.gather(*(take_over(message) for message in claimed),
                                return_exceptions=True)
    for message, outcome in zip(claimed, done, strict=True):
        if isinstance(outcome, BaseException):  # its lease lapses again: the next sweep
            logger.error("Taking over message %s failed", message.rasa_message_id,
                         exc_info=outcome)
    return [outcome if isinstance(outcome, str) else "failed" for outcome in done]


async def run_forever() -> None:
    await sweep_forever(sweep_once, SWEEP_SECONDS, "Awaiting-reply sweep")

