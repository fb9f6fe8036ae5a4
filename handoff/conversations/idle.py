"""Session ends without a goodbye: the idle check, kept in the database so it survives restarts.

Rasa only notices an expired session at the next user message and its reminders die with
the server, so the gateway sweeps: a conversation the bot owns that has been quiet for
IDLE_MINUTES gets the CES question (once); quiet for as long again after that, it closes
(unless the customer left an address for replies: they may come back by its link, so it
stays open while the link works). What a customer who left missed is forwarded here too when
a restart interrupted its forwarding.
Handoffs nobody announced yet (their callback got lost) are announced here too.
With several gateway instances on PostgreSQL, one sweeps at a time (an advisory lock), so
nobody is asked the survey twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, text
from sqlalchemy.engine import Connection

from handoff.channels.web import offline
from handoff.conversations import flow, rasa_client
from handoff.conversations.sweeps import sweep_forever
from store.conversations import close_conversation
from store.db import get_engine, session_scope
from store.models import (
    Conversation,
    Handoff,
    Message,
    Owner,
    Sender,
    SurveyAnswer,
    as_utc,
    utcnow,
)
from store.settings import get_settings

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 15
SWEEP_LOCK_KEY = 7_305_113


@asynccontextmanager
async def _sweeping_alone() -> AsyncIterator[bool]:
    """True when no other instance is sweeping now (always, on SQLite: one instance).
    The lock's connection is opened, locked and closed in worker threads."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        yield True
        return
    connection = await asyncio.to_thread(engine.connect)
    try:
        mine = await asyncio.to_thread(_advisory_lock, connection, "pg_try_advisory_lock")
        try:
            yield bool(mine)
        finally:
            if mine:
                await asyncio.to_thread(_advisory_lock, connection, "pg_advisory_unlock")
    finally:
        await asyncio.to_thread(connection.close)


def _advisory_lock(connection: Connection, function: str) -> bool:
    return connection.execute(text(f"SELECT {function}(:key)"),
                              {"key": SWEEP_LOCK_KEY}).scalar()


def _quiet_conversations(now: datetime) -> tuple[list[str], int, set[str]]:
    """Closes what needs no survey; returns (to survey, how many closed, to announce)."""
    cutoff = now - timedelta(minutes=get_settings().idle_minutes)
    to_survey, closed = [], 0
    with session_scope() as session:
        quiet = session.execute(
            select(Conversation.id, Conversation.follow_up_address,
                   Conversation.last_message_at).where(
                Conversation.owner == Owner.bot,
                Conversation.closed_at.is_(None),
                # Rows from before a `start` stored nothing have no message at all.
                or_(Conversation.last_message_at < cutoff,
                    Conversation.last_message_at.is_(None) & (Conversation.created_at < cutoff)),
            )
        ).all()
        # Whoever asked for replies by email or WhatsApp may come back by its link later.
        link_cutoff = now - timedelta(days=get_settings().follow_up.resume_link_days)
        for conversation_id, follow_up_address, last_message_at in quiet:
            surveyed = session.execute(select(exists().where(
                SurveyAnswer.conversation_id == conversation_id))).scalar()
            spoke = session.execute(select(exists().where(
                Message.conversation_id == conversation_id,
                Message.sender == Sender.customer))).scalar()
            if spoke and not surveyed:
                to_survey.append(conversation_id)
            elif follow_up_address and as_utc(last_message_at) > link_cutoff:
                continue
            else:
                close_conversation(session, conversation_id, reason="idle")
                closed += 1
        unannounced = session.execute(
            select(Handoff.conversation_id).where(
                Handoff.announced_at.is_(None), Handoff.created_at < now - timedelta(seconds=5)
            )
        ).scalars().all()
    return to_survey, closed, set(unannounced)


async def sweep_once(now: datetime | None = None) -> dict[str, int]:
    to_survey, closed, unannounced = await asyncio.to_thread(
        _quiet_conversations, now or utcnow())
    for conversation_id in to_survey:
        try:
            await flow.trigger_idle_survey(conversation_id)
        except rasa_client.RasaUnavailable:
            logger.warning("Idle survey for %s postponed: Rasa unavailable", conversation_id)
    for conversation_id in unannounced:
        await flow.announce(conversation_id)
    forwarded = await offline.forward_pending()  # what a restart kept from a customer away
    return {"surveyed": len(to_survey), "closed": closed, "announced": len(unannounced),
            "forwarded": forwarded}


async def sweep_unless_busy(now: datetime | None = None) -> dict[str, int] | None:
    """One sweep, or None when another instance is sweeping right now."""
    async with _sweeping_alone() as alone:
        return await sweep_once(now) if alone else None


async def run_forever() -> None:
    await sweep_forever(sweep_unless_busy, SWEEP_SECONDS, "Idle sweep")
