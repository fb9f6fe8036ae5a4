"""The message path: every customer, bot, agent and system message goes through here.

A customer message is validated, stored with its sequence number, echoed to the customer's
channel, then routed by who owns the conversation: the bot (Rasa) or a person (the inbox).
Bot replies arrive from Rasa's callback, agent replies from the inbox API; both are stored
and delivered on the channel the customer used.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.channels import ReplyWindowClosed, channel_for
from handoff.conversations import follow_up, rasa_client
from handoff.conversations.turn_lock import conversation_turn
from handoff.json_logs import log_context
from handoff.live import INBOX, hub
from handoff.monitoring import ACTION_FAILURES, BOT_ROUND_TRIP, MESSAGES, RASA_FAILURES
from handoff.serialize import handoff_summary_json, message_json
from handoff.texts import customer_text
from nlu.language import choose_language
from store import pending_replies
from store.attachments import Upload, save_attachment
from store.conversations import (
    close_conversation,
    create_handoff,
    ensure_conversation,
    handoff_context,
    open_handoff,
)
from store.db import REQUEST_RETRY_SECONDS, session_scope, with_db_retry
from store.follow_up import resume_link_valid
from store.models import (
    Agent,
    Conversation,
    Handoff,
    HandoffStatus,
    Message,
    Owner,
    Sender,
    as_utc,
    utcnow,
)
from store.settings import get_settings
from store.transcript import append_message, clean_text, find_by_client_id
from store.waits import back_at_label, current_wait, mark_answered

logger = logging.getLogger(__name__)

class GatewayError(Exception):
    """Base for refusals the API turns into 4xx answers."""


class UnknownConversation(GatewayError):
    pass


class UnknownHandoff(GatewayError):
    pass


class NotYourHandoff(GatewayError):
    """The handoff is not assigned to this agent (claim it first)."""


def _window_open(session: Session, conversation_id: str) -> bool:
    """Channels with a reply window (WhatsApp) say whether they can reach the customer now
    (`reachable`); the others always can."""
    conversation = session.get(Conversation, conversation_id)
    reachable = getattr(channel_for(conversation.channel), "reachable", None)
    return reachable is None or reachable(conversation, utcnow())


_background: set[asyncio.Task] = set()


def _in_background(coroutine: Any) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("Background work failed", exc_info=task.exception())


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- conversations -----------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedConversation:
    """A conversation promised to a widget and not stored yet.

    A `start` frame (opening the widget, "new chat") only prepares one: the row is written
    with the customer's first message or click, so conversations nobody wrote in never
    reach the lists or the rates.
    """

    id: str
    token: str
    language: str | None
    channel: str = "web"


def prepare_conversation(
    *, channel: str = "web", language: str | None = None
) -> PreparedConversation:
    """A new conversation id and the secret token that lets its owner resume it."""
    return PreparedConversation(uuid.uuid4().hex, secrets.token_urlsafe(24), language, channel)


def _store_prepared(session: Session, prepared: PreparedConversation,
                    customer_id: int | None = None) -> Conversation:
    conversation = ensure_conversation(
        session, prepared.id, channel=prepared.channel, language=prepared.language)
    conversation.token_hash = _hash_token(prepared.token)
    conversation.customer_id = customer_id
    return conversation


def start_conversation(
    *, channel: str = "web", language: str | None = None, customer_id: int | None = None
) -> tuple[str, str]:
    """A new stored conversation (a channel whose first message is already here) and its
    token."""
    prepared = prepare_conversation(channel=channel, language=language)
    with session_scope() as session:
        _store_prepared(session, prepared, customer_id)
    return prepared.id, prepared.token


_PREPARED_ID = re.compile(r"^[0-9a-f]{32}$")  # uuid4().hex, as prepare_conversation makes them


def resumable(conversation_id: str, token: str) -> Literal["stored", "prepared", "refused"]:
    """How to answer a `resume` (and whether a customer may upload or see a file): a stored
    conversation needs its token, and to have been active within RESUME_HOURS (a widget
    left on a shared device must not replay order and tracking numbers), or the token of a
    link in a follow-up email that has not expired; an id that was only prepared (nobody
    wrote yet, or the gateway that prepared it went away) is prepared again under the same
    id and token, so a message re-sent after a reconnect lands where it was meant to, once."""
    found = _resumable_by_widget_token(conversation_id, token)
    if found == "refused":
        with session_scope() as session:
            if resume_link_valid(session, conversation_id, token):
                return "stored"
    return found


def _resumable_by_widget_token(conversation_id: str, token: str,
                               ) -> Literal["stored", "prepared", "refused"]:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            fits = _PREPARED_ID.match(conversation_id) and 0 < len(token or "") <= 64
            return "prepared" if fits else "refused"
        expected = conversation.token_hash
        last_active = max(as_utc(moment) for moment in (
            conversation.created_at, conversation.last_message_at, conversation.closed_at)
            if moment is not None)
    if utcnow() - last_active > timedelta(hours=get_settings().resume_hours):
        return "refused"
    matches = bool(expected) and hmac.compare_digest(expected, _hash_token(token or ""))
    return "stored" if matches else "refused"


def conversation_state(session: Session, conversation: Conversation) -> dict[str, Any]:
    """Who serves the customer now, as the widget's `state` frame shows it. A queued
    customer's wait is store.waits.current_wait, the estimate the bot's message used."""
    state: dict[str, Any] = {"state": "bot", "agent_name": None, "wait_minutes": None,
                             "back_at": None, "back_at_label": None,
                             "language": conversation.language}
    if conversation.closed_at is not None:
        state["state"] = "closed"
        return state
    handoff = open_handoff(session, conversation.id)
    if handoff is None:
        return state
    if handoff.status == HandoffStatus.assigned and handoff.agent is not None:
        state.update(state="assigned", agent_name=handoff.agent.display_name)
    else:
        wait = current_wait(session, handoff)
        state.update(state="queued", wait_minutes=wait.minutes,
                     back_at=wait.back_at and wait.back_at.isoformat(),
                     back_at_label=wait.back_at and back_at_label(wait.back_at))
    return state


def is_closed(conversation_id: str) -> bool:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        return conversation is None or conversation.closed_at is not None


async def announce(conversation_id: str) -> None:
    """Push the conversation's state to the customer and its handoff to the inbox; a newly
    queued customer who will not be answered soon is offered email or WhatsApp."""
    found = await asyncio.to_thread(_mark_announced, conversation_id)
    if found is None:
        return
    state, channel, summary, offer = found
    await channel_for(channel).deliver_state(conversation_id, state)
    if summary:
        hub.publish(INBOX, {"event": "handoff", "data": {"handoff": summary}})
    if offer:
        await bot_messages(conversation_id, offer)


def _mark_announced(conversation_id: str) -> tuple[dict, str, dict | None, list] | None:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        latest = session.execute(
            select(Handoff).where(Handoff.conversation_id == conversation_id)
            .order_by(Handoff.id.desc())
        ).scalars().first()
        offer = []
        if latest is not None and latest.announced_at is None:
            latest.announced_at = utcnow()
            offer = follow_up.offer(session, conversation)
        return (conversation_state(session, conversation), conversation.channel,
                handoff_summary_json(latest) if latest else None, offer)


# --- customer messages ----------------------------------------------------------------------

async def customer_message(
    conversation_id: str,
    text: str,
    *,
    payload: str | None = None,
    client_message_id: str | None = None,
    prepared: PreparedConversation | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store and route one customer message. Returns (the stored message, whether new).

    A retried message (same client_message_id) is returned as stored and not routed again,
    also when the retry reached another gateway instance at the same moment.
    `payload` is what the bot receives for a clicked button; `text` is what people read.
    With `prepared`, a conversation not stored yet is stored with this first message.
    """
    text = clean_text(text)
    try:
        stored, route = await asyncio.to_thread(
            _store_customer_message, conversation_id, text, payload, client_message_id,
            prepared)
    except IntegrityError:
        # Two deliveries of one message raced; the unique (conversation, client id) let
        # one in. A store failing for another reason has no stored copy: re-raise.
        existing = client_message_id and await asyncio.to_thread(
            _stored_copy, conversation_id, client_message_id)
        if not existing:
            raise
        return existing, False
    if route is None:
        return stored, False
    owner, channel, metadata, handoff_id, switched_language, follow = route
    MESSAGES.labels(channel, "customer", "in").inc()
    await channel_for(channel).deliver_message(conversation_id, stored)
    if switched_language:
        await _tell_language(channel, conversation_id, switched_language)
    if follow is not None:  # the email/WhatsApp offer's buttons, or the address it asked for
        await bot_messages(conversation_id, follow.replies)
        if not follow.route:
            return stored, True
    if owner == Owner.bot:
        _in_background(to_bot(conversation_id, stored["id"], stored["seq"], payload or text,
                              metadata))
    else:
        hub.publish(INBOX, {"event": "message", "data": {
            "conversation_id": conversation_id, "handoff_id": handoff_id, "message": stored}})
    return stored, True


async def _tell_language(channel: str, conversation_id: str, language: str) -> None:
    """Channels that label things themselves (the widget) switch to the customer's language;
    the others define no deliver_language and need nothing."""
    deliver_language = getattr(channel_for(channel), "deliver_language", None)
    if deliver_language is not None:
        await deliver_language(conversation_id, language)


def _stored_copy(conversation_id: str, client_message_id: str) -> dict[str, Any] | None:
    with session_scope() as session:
        existing = find_by_client_id(session, conversation_id, client_message_id)
        return message_json(existing) if existing else None


def _store_customer_message(
    conversation_id: str, text: str, payload: str | None, client_message_id: str | None,
    prepared: PreparedConversation | None = None,
) -> tuple[dict[str, Any], tuple | None]:
    """(the stored message, how to route it), or (the earlier copy, None) for a retry."""
    with session_scope() as session:
        conversation = open_conversation(session, conversation_id, prepared)
        if client_message_id:
            existing = find_by_client_id(session, conversation_id, client_message_id)
            if existing is not None:
                return message_json(existing), None
        before = conversation.language
        if not payload:
            conversation.language = choose_language(
                text, conversation.language, None, _default_language()
            )
        message = append_message(session, conversation_id, Sender.customer, text,
                                 client_message_id=client_message_id)
        message.payload = payload[:500] if payload else None
        conversation.last_customer_message_at = message.created_at
        owner, channel = conversation.owner, conversation.channel
        follow = follow_up.on_customer_message(session, conversation, text, payload)
        if owner == Owner.bot and (follow is None or follow.route):
            # Awaiting the bot's reply, held by this gateway (awaiting_reply.py).
            message.reply_pending_until = pending_replies.lease_end()
        stored = message_json(message)
        handoff = open_handoff(session, conversation_id) if owner == Owner.human else None
        switched = conversation.language if conversation.language != before else None
        return stored, (owner, channel, bot_metadata(conversation),
                        handoff.id if handoff else None, switched, follow)


def open_conversation(session: Session, conversation_id: str,
                      prepared: PreparedConversation | None = None) -> Conversation:
    """The open conversation a customer writes in, stored now when it was only `prepared`;
    UnknownConversation when it is closed, unknown, or `prepared` carries another token."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None and prepared is not None and prepared.id == conversation_id:
        conversation = _store_prepared(session, prepared)
    elif prepared is not None and conversation is not None and not hmac.compare_digest(
            conversation.token_hash or "", _hash_token(prepared.token)):
        raise UnknownConversation(conversation_id)  # someone else's id
    if conversation is None or conversation.closed_at is not None:
        raise UnknownConversation(conversation_id)
    return conversation


def bot_metadata(conversation: Conversation) -> dict[str, Any]:
    """What Rasa gets with each customer message (the actions read channel and locale)."""
    return {"channel": conversation.channel, "customer_id": conversation.customer_id,
            "locale": conversation.language}


def _default_language() -> str:
    from store.settings import get_settings

    return get_settings().default_language


async def to_bot(conversation_id: str, message_pk: int, seq: int, text: str,
                 metadata: dict[str, Any]) -> None:
    """The bot's turn for one stored customer message, under this gateway's lease on it
    (renewed until the turn ends) and the conversation's turn lock."""
    async with holding_reply_lease(message_pk), conversation_turn(conversation_id):
        await bot_turn(conversation_id, message_pk, seq, text, metadata)


async def bot_turn(conversation_id: str, message_pk: int, seq: int, text: str,
                   metadata: dict[str, Any]) -> None:
    """Send the message to Rasa, store and deliver what the bot said; the caller holds the
    conversation's turn. The message stops awaiting its reply when the turn is recorded."""
    message_id = f"{conversation_id}-{seq}"  # its name in Rasa's tracker
    with log_context(conversation_id, message_id):
        started = time.perf_counter()
        try:
            turn = await rasa_client.send_to_bot(conversation_id, text, metadata, message_id)
        except rasa_client.RasaUnavailable:
            RASA_FAILURES.inc()
            logger.exception("Rasa did not take a message of %s", conversation_id)
            await escalate_assistant_unavailable(conversation_id, "the Rasa server",
                                                 answered=message_pk)
            return
        replies = await bot_messages(conversation_id, turn.said_before_failure(),
                                     answered=message_pk)
        BOT_ROUND_TRIP.observe(time.perf_counter() - started)
        logger.info("bot turn: %d replies in %.0f ms", len(replies),
                    (time.perf_counter() - started) * 1000)
        if turn.failed_actions:
            failed = sorted({f["action"] for f in turn.failed_actions})
            for action in failed:
                ACTION_FAILURES.labels(action).inc()
            logger.error("Custom actions failed in %s: %s", conversation_id, ", ".join(failed))
            await escalate_assistant_unavailable(
                conversation_id, f"the action server (failed: {', '.join(failed)})")


@asynccontextmanager
async def holding_reply_lease(message_pk: int) -> AsyncIterator[None]:
    """Renew this gateway's lease on the message while the block runs; when the gateway
    dies the renewals stop and another instance takes the turn over (awaiting_reply)."""
    async def renew_forever() -> None:
        while True:
            await asyncio.sleep(pending_replies.RENEW_SECONDS)
            try:
                await asyncio.to_thread(_renew_lease, message_pk)
            except Exception as error:  # the database restarting: the next renewal may work
                logger.warning("Lease on message %s not renewed: %s", message_pk,
                               type(error).__name__)

    renewer = asyncio.get_running_loop().create_task(renew_forever())
    try:
        yield
    finally:
        renewer.cancel()


def _renew_lease(message_pk: int) -> None:
    with session_scope() as session:
        pending_replies.renew(session, message_pk)


async def escalate_assistant_unavailable(conversation_id: str, part: str,
                                         answered: int | None = None) -> None:
    """No silence: the customer hears why and a person takes over with the transcript.
    `answered`: the message whose turn this ends (it no longer awaits the bot)."""
    await with_db_retry(lambda: _queue_for_person(conversation_id, part, answered))
    await system_message(conversation_id, "assistant_unavailable")
    await announce(conversation_id)


def _queue_for_person(conversation_id: str, part: str, answered: int | None) -> None:
    with session_scope() as session:
        if answered is not None:
            pending_replies.clear(session, answered)
        conversation = session.get(Conversation, conversation_id)
        language = conversation.language or _default_language()
        transcript = [{"sender": m.sender.value, "text": m.text,
                       "timestamp": m.created_at.isoformat()} for m in conversation.messages]
        last = next((m.text for m in reversed(conversation.messages)
                     if m.sender == Sender.customer), "")
        summary = (f'The assistant was unavailable ({part} did not answer). Last message: '
                   f'"{last[:160]}". Language: {language}, channel: {conversation.channel}.')
        create_handoff(
            session, conversation_id=conversation_id, reason="assistant_unavailable",
            summary=summary, channel=conversation.channel, language=language,
            context=handoff_context(reason="assistant_unavailable", summary=summary,
                                    channel=conversation.channel, language=language,
                                    transcript=transcript),
        )


async def customer_typing(conversation_id: str) -> None:
    hub.publish(INBOX, {"event": "typing",
                        "data": {"conversation_id": conversation_id, "sender": "customer"}})


# --- bot, agent and system messages ------------------------------------------------------------

async def bot_messages(conversation_id: str, replies: list[dict[str, Any]],
                       answered: int | None = None) -> list[dict]:
    """Bot replies (Rasa's `text` + `buttons`): stored in one go, delivered in order, and
    everyone told when the owner changed (a handoff was created, the chat closed).
    `answered`: the customer message these reply to, no longer awaiting the bot once they
    are stored (in the same transaction).

    Rasa cannot be asked to say it again, so storing waits out a database restart."""
    stored, channel, changed = await with_db_retry(
        lambda: _store_bot_replies(conversation_id, replies, answered))
    MESSAGES.labels(channel, "bot", "out").inc(len(stored))
    for message in stored:
        await channel_for(channel).deliver_message(conversation_id, message)
    if changed:
        await announce(conversation_id)
    return stored


def _store_bot_replies(
    conversation_id: str, replies: list[dict[str, Any]], answered: int | None
) -> tuple[list[dict], str, bool]:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise UnknownConversation(conversation_id)
        if answered is not None:
            pending_replies.clear(session, answered)
        stored = [
            message_json(append_message(
                session, conversation_id, Sender.bot, reply.get("text") or "",
                buttons=_clean_buttons(reply.get("buttons")) or None))
            for reply in replies if reply.get("text") or reply.get("buttons")
        ]
        changed = conversation.closed_at is not None or any(
            h.announced_at is None for h in conversation.handoffs
        )
        return stored, conversation.channel, changed


def _clean_buttons(buttons: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [{"title": str(b.get("title", ""))[:80], "payload": str(b.get("payload", ""))[:500]}
            for b in (buttons or []) if b.get("payload")]


async def bot_message(
    conversation_id: str, text: str, buttons: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """One reply from Rasa's callback (what the bot says on its own)."""
    return (await bot_messages(conversation_id, [{"text": text, "buttons": buttons}]))[0]


async def system_message(conversation_id: str, key: str, **values: str) -> dict[str, Any]:
    stored, channel = await with_db_retry(
        lambda: _store_system_message(conversation_id, key, values))
    MESSAGES.labels(channel, "system", "out").inc()
    await channel_for(channel).deliver_message(conversation_id, stored)
    return stored


def _store_system_message(conversation_id: str, key: str, values: dict[str, str],
                          ) -> tuple[dict[str, Any], str]:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        text = customer_text(f"conversation.{key}", conversation.language, **values)
        stored = message_json(append_message(session, conversation_id, Sender.system, text))
        return stored, conversation.channel


def _assigned_handoff(session: Session, handoff_id: int, agent_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    if handoff.status != HandoffStatus.assigned or handoff.agent_id != agent_id:
        raise NotYourHandoff(handoff_id)
    return handoff


async def send_agent_message(handoff_id: int, agent_id: int, text: str,
                             upload: Upload | None = None) -> dict[str, Any]:
    """An agent's reply to the customer; with `upload` a photo or video, `text` its caption
    (may be empty)."""
    text = clean_text(text) if text or upload is None else ""
    stored, conversation_id, channel = await with_db_retry(
        lambda: _store_agent_message(handoff_id, agent_id, text, upload),
        seconds=REQUEST_RETRY_SECONDS)
    MESSAGES.labels(channel, "agent", "out").inc()
    await channel_for(channel).deliver_message(conversation_id, stored)
    hub.publish(INBOX, {"event": "message", "data": {
        "conversation_id": conversation_id, "handoff_id": handoff_id, "message": stored}})
    return stored


def _store_agent_message(handoff_id: int, agent_id: int, text: str, upload: Upload | None,
                         ) -> tuple[dict[str, Any], str, str]:
    with session_scope() as session:
        message = agent_reply(session, handoff_id, agent_id, text, upload)
        return message_json(message), message.conversation_id, message.conversation.channel


def agent_reply(session: Session, handoff_id: int, agent_id: int, text: str,
                upload: Upload | None = None) -> Message:
    """Store an agent's message (with a photo or video: `upload`) on the handoff they hold;
    NotYourHandoff otherwise, ReplyWindowClosed when WhatsApp no longer takes it, and
    RefusedAttachment for a file we do not keep."""
    handoff = _assigned_handoff(session, handoff_id, agent_id)
    if not _window_open(session, handoff.conversation_id):
        raise ReplyWindowClosed()
    attachment = upload and save_attachment(session, handoff.conversation_id, upload)
    message = append_message(session, handoff.conversation_id, Sender.agent, text,
                             agent_id=agent_id)
    message.attachment = attachment
    if handoff.first_agent_reply_at is None:
        handoff.first_agent_reply_at = message.created_at
    mark_answered(handoff, message.created_at)
    session.flush()
    session.refresh(message)
    return message


async def agent_typing(conversation_id: str, agent_name: str) -> None:
    channel = await asyncio.to_thread(_channel_of, conversation_id)
    await channel_for(channel).deliver_typing(conversation_id, agent_name)


def _channel_of(conversation_id: str) -> str:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        return conversation.channel if conversation else "web"


async def agent_joined(conversation_id: str, agent_name: str) -> None:
    """Called after a claim: the customer sees who is helping them."""
    await system_message(conversation_id, "agent_joined", name=agent_name)
    await announce(conversation_id)


async def resolve_handoff(handoff_id: int, agent_id: int) -> None:
    """The person is done: the bot takes the conversation back and asks the CES question."""
    conversation_id, agent_name = await with_db_retry(
        lambda: _mark_resolved(handoff_id, agent_id), seconds=REQUEST_RETRY_SECONDS)
    await system_message(conversation_id, "resolved", name=agent_name)
    await announce(conversation_id)
    _in_background(_survey_after_resolve(conversation_id))


def _mark_resolved(handoff_id: int, agent_id: int) -> tuple[str, str]:
    with session_scope() as session:
        handoff = _assigned_handoff(session, handoff_id, agent_id)
        handoff.status = HandoffStatus.resolved
        handoff.resolved_at = utcnow()
        handoff.conversation.owner = Owner.bot
        return handoff.conversation_id, session.get(Agent, agent_id).display_name


def _can_reach(conversation_id: str) -> bool:
    with session_scope() as session:
        return _window_open(session, conversation_id)


async def _survey_after_resolve(conversation_id: str) -> None:
    if not await asyncio.to_thread(_can_reach, conversation_id):
        return  # the question could not reach the customer
    async with conversation_turn(conversation_id):
        try:
            await rasa_client.resume_with_survey(conversation_id, "resolved")
        except rasa_client.RasaUnavailable:
            logger.exception("Could not ask the survey in %s", conversation_id)


async def trigger_idle_survey(conversation_id: str) -> None:
    if not await asyncio.to_thread(_can_reach, conversation_id):
        await asyncio.to_thread(_close_idle, conversation_id)  # nobody to ask
        return
    async with conversation_turn(conversation_id):
        await rasa_client.resume_with_survey(conversation_id, "idle")


def _close_idle(conversation_id: str) -> None:
    with session_scope() as session:
        close_conversation(session, conversation_id, reason="idle")


async def drain_background(timeout: float = 10.0) -> None:
    """Wait for in-flight bot exchanges (used on shutdown and by tests), including those
    started while waiting: a WhatsApp notification's processing starts the bot exchange."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending := [task for task in _background if not task.done()]:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        await asyncio.wait(pending, timeout=remaining)
