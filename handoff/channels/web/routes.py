"""The website chat: the widget's WebSocket `/ws/chat` (frames in docs/widget-protocol.md)
and the widget script itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from sqlalchemy.orm import Session

from handoff.channels.web.flood import AddressLimits, SlidingWindow
from handoff.channels.web.outbound import message_frame
from handoff.channels.web.widget import widget_script
from handoff.conversations import flow
from handoff.live import conversation_topic, hub
from handoff.monitoring import DATABASE_RETRIES, WEBSOCKETS
from handoff.serialize import message_json
from handoff.texts import customer_text
from store import follow_up
from store.db import is_transient, session_scope
from store.models import Conversation
from store.settings import get_settings
from store.transcript import MAX_MESSAGE_CHARS, InvalidMessage, messages_after

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_FRAME_BYTES = 16 * 1024
UNAVAILABLE_RETRY_SECONDS = 2
# Widgets attached to each conversation on this gateway: the last to leave says it left.
_attached: Counter[str] = Counter()


class Refused(Exception):
    """The socket is closed with `code` after an error frame saying why."""

    def __init__(self, code: int, error: str, detail: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(error)
        self.code, self.error, self.detail, self.retry_after = code, error, detail, retry_after


class InvalidFrame(Exception):
    """A frame that is answered with an error frame; the socket stays open."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


class ChatConnection:
    """One widget connection: at most one conversation, frames sent strictly in order."""

    def __init__(self, websocket: WebSocket, address: str, limits: AddressLimits) -> None:
        self.websocket = websocket
        self.address, self.limits = address, limits
        self.conversation_id: str | None = None
        self.prepared: flow.PreparedConversation | None = None  # not stored until written in
        self.language: str | None = None
        self.last_seq = 0
        self._send_lock = asyncio.Lock()
        self._forwarder: asyncio.Task | None = None
        self._counted = False  # counted in _attached
        settings = get_settings()
        self.rate = SlidingWindow(settings.chat_message_limit, settings.chat_window_seconds)
        self.starts = SlidingWindow(settings.chat_starts_per_connection,
                                    settings.chat_window_seconds)

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            if frame.get("type") == "message":
                if frame["seq"] <= self.last_seq:
                    return  # already shown (replayed, or echoed twice)
                try:
                    missing = await self._missing_before(frame["seq"])
                except Exception as error:
                    if not is_transient(error):
                        raise
                    # Sending past the gap would lose it on this socket: the widget
                    # reconnects instead and resumes from what it has shown.
                    logger.warning("Gap before seq %s in %s not fillable now; closing",
                                   frame["seq"], self.conversation_id)
                    await self.websocket.close(code=1012)  # service restart: try again
                    return
                for message in missing:
                    await self._send_now(message)
            await self._send_now(frame)

    async def _send_now(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "message":
            self.last_seq = frame["seq"]
        await self.websocket.send_text(json.dumps(frame))

    async def _missing_before(self, seq: int) -> list[dict[str, Any]]:
        """Messages between the last one shown and `seq`, from the database.

        Live frames from different gateway instances can overtake each other; the stored
        transcript decides the order, so the customer sees each message once, in order.
        """
        if seq <= self.last_seq + 1 or self.conversation_id is None:
            return []
        backlog = await asyncio.to_thread(_frames_after, self.conversation_id, self.last_seq)
        return [frame for frame in backlog if frame["seq"] < seq]

    async def error(self, error: str, detail: str) -> None:
        await self.send({"type": "error", "error": error, "detail": detail})

    async def attach(self, conversation_id: str, token: str, after_seq: int = 0) -> None:
        """Follow a stored conversation: live frames first (so nothing slips between), then
        replay."""
        replayed = await self._follow(conversation_id, after_seq)
        try:
            backlog, state, language = await asyncio.to_thread(
                _replay, conversation_id, self.last_seq)
            self.language = language
        except BaseException:
            await self.detach()  # e.g. the database is restarting: the widget asks again
            self.conversation_id = None
            raise
        await self.send({"type": "conversation", "conversation_id": conversation_id,
                         "token": token, "language": language})
        for frame in backlog:
            await self.send(frame)
        await self.send(state)
        replayed.set()
        await self.present()

    async def present(self) -> None:
        """This widget shows the stored conversation: replies go here, not by email."""
        _attached[self.conversation_id] += 1
        self._counted = True
        await self.seen()

    async def prepare(self, language: str | None,
                      prepared: flow.PreparedConversation | None = None) -> None:
        """Promise the widget a conversation (a new one, or `prepared` again) without storing
        anything (see flow.PreparedConversation); its first message stores it."""
        prepared = prepared or flow.prepare_conversation(language=language)
        replayed = await self._follow(prepared.id, 0)
        self.prepared, self.language = prepared, language
        await self.send({"type": "conversation", "conversation_id": prepared.id,
                         "token": prepared.token, "language": language})
        await self.send({"type": "state", "state": "bot", "agent_name": None,
                         "wait_minutes": None, "language": language})
        replayed.set()

    async def _follow(self, conversation_id: str, after_seq: int) -> asyncio.Event:
        """Subscribe to the conversation's live frames; they wait until the returned event
        is set (after the replay)."""
        await self.detach()
        self.conversation_id, self.last_seq = conversation_id, max(0, after_seq)
        self.prepared = None
        subscribed, replayed = asyncio.Event(), asyncio.Event()
        self._forwarder = asyncio.create_task(
            self._forward(conversation_id, subscribed, replayed))
        await subscribed.wait()
        return replayed

    async def _forward(
        self, conversation_id: str, subscribed: asyncio.Event, replayed: asyncio.Event
    ) -> None:
        async with hub.subscribe(conversation_topic(conversation_id)) as queue:
            subscribed.set()
            await replayed.wait()  # live frames wait in the queue until the backlog is out
            while True:
                await self.send(await queue.get())

    async def detach(self) -> None:
        if self._forwarder:
            self._forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._forwarder
            self._forwarder = None
        if self._counted:
            self._counted = False
            _attached[self.conversation_id] -= 1
            if _attached[self.conversation_id] <= 0:
                del _attached[self.conversation_id]
            await self.seen()

    async def seen(self) -> None:
        """Record that a widget shows the conversation up to last_seq, or that the last one
        here left: replies to a customer who left go to their email/WhatsApp (offline.py)."""
        if self.conversation_id is None:
            return
        present = _attached[self.conversation_id] > 0
        try:
            # Shielded: a server cancelling the connection's task must not drop the update.
            await asyncio.shield(asyncio.to_thread(_widget_seen, self.conversation_id,
                                                   self.last_seq, present))
        except Exception:  # presence is best effort; the chat itself goes on
            logger.warning("Presence of %s not recorded", self.conversation_id, exc_info=True)


def _widget_seen(conversation_id: str, shown_seq: int, present: bool) -> None:
    with session_scope() as session:
        follow_up.widget_seen(session, conversation_id, shown_seq, present=present)


def _message_frames(session: Session, conversation_id: str, after_seq: int) -> list[dict]:
    return [message_frame(message_json(m))
            for m in messages_after(session, conversation_id, after_seq)]


def _frames_after(conversation_id: str, after_seq: int) -> list[dict[str, Any]]:
    with session_scope() as session:
        return _message_frames(session, conversation_id, after_seq)


def _replay(conversation_id: str, after_seq: int) -> tuple[list[dict], dict, str | None]:
    """What a (re)attached widget is sent: missed messages, then who serves the customer."""
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        state = {"type": "state", **flow.conversation_state(session, conversation)}
        return (_message_frames(session, conversation_id, after_seq), state,
                conversation.language)


def _language_hint(locale: Any) -> str | None:
    code = str(locale or "")[:2].lower()
    return code if code in ("id", "en") else None


async def _handle(connection: ChatConnection, frame: dict[str, Any]) -> None:
    kind = frame.get("type")
    if kind == "ping":
        await connection.send({"type": "pong"})
        await connection.seen()
    elif kind == "start":
        await _start_conversation(connection, _language_hint(frame.get("locale")))
    elif kind == "resume":
        conversation_id, token = str(frame.get("conversation_id") or ""), str(
            frame.get("token") or "")
        found = await asyncio.to_thread(flow.resumable, conversation_id, token)
        if found == "refused":
            await connection.error("unknown_conversation",
                                   "This conversation cannot be resumed; start a new one.")
        elif found == "prepared":
            language = _language_hint(frame.get("locale"))
            await connection.prepare(language, flow.PreparedConversation(
                conversation_id, token, language))
        else:
            after = frame.get("after_seq")
            await connection.attach(conversation_id, token,
                                    after if isinstance(after, int) else 0)
    elif kind in ("message", "button"):
        await _customer_message(connection, frame)
    elif kind == "typing":
        if connection.conversation_id and not connection.prepared:
            await flow.customer_typing(connection.conversation_id)
    else:
        await connection.error("invalid", f"Unknown frame type {kind!r}")


async def _customer_message(connection: ChatConnection, frame: dict[str, Any]) -> None:
    text = frame.get("title") if frame.get("type") == "button" else frame.get("text")
    payload = str(frame["payload"])[:500] if frame.get("type") == "button" and frame.get(
        "payload") else None
    client_id = frame.get("client_message_id")
    client_id = str(client_id)[:64] if client_id else None
    if connection.conversation_id is None or await _was_closed(connection):
        # A message after "chat closed" (or without start) opens a new conversation.
        await _start_conversation(
            connection, _language_hint(frame.get("locale")) or connection.language)
    retry_after = connection.rate.retry_after()
    if retry_after:
        await _rate_limited(connection, retry_after)
        return
    try:
        await flow.customer_message(connection.conversation_id, text, payload=payload,
                                    client_message_id=client_id, prepared=connection.prepared)
    except InvalidMessage as error:
        await _refused(connection, error, client_id)
        return
    if connection.prepared is not None:  # stored now, with this widget showing it
        connection.prepared = None
        await connection.present()
    connection.rate.accepted()


async def _start_conversation(connection: ChatConnection, language: str | None) -> None:
    """A new conversation, within the limits of this connection and of its address. It is
    only prepared (nothing stored until the customer writes), yet counted: the limits are on
    what a client asks for."""
    connection.language = connection.language or language  # for a refusal's words
    address = connection.address
    retry_after = (connection.starts.retry_after()
                   or connection.limits.conversation_retry_after(address))
    if retry_after:
        raise Refused(1008, "too_many_conversations", retry_after=retry_after)
    connection.starts.accepted()
    connection.limits.conversation_started(address)
    await connection.prepare(language)


async def _was_closed(connection: ChatConnection) -> bool:
    if connection.prepared:
        return False  # not stored yet, so not closed either
    return await asyncio.to_thread(flow.is_closed, connection.conversation_id)


async def _refused(connection: ChatConnection, error: InvalidMessage,
                   client_id: str | None) -> None:
    """Nothing was stored; a message over the limit is refused in the customer's language
    (never cut), so they can shorten it or send it in parts."""
    detail = error.detail
    if error.error == "too_long":
        detail = _too_long_text(connection)
    await connection.send({"type": "error", "error": error.error, "detail": detail,
                           "client_message_id": client_id, "limit": MAX_MESSAGE_CHARS})


def _too_long_text(connection: ChatConnection) -> str:
    language = connection.language or get_settings().default_language
    return customer_text("web.too_long", language, limit=MAX_MESSAGE_CHARS)


async def _rate_limited(connection: ChatConnection, retry_after: int) -> None:
    """Nothing is stored; the customer is asked, in their language, to slow down."""
    language = connection.language or get_settings().default_language
    await connection.send({"type": "error", "error": "rate_limited",
                           "detail": customer_text("web.rate_limited", language),
                           "retry_after": retry_after})


async def _unavailable(connection: ChatConnection, frame: dict[str, Any]) -> None:
    """The database could not take the frame: nothing was stored, the widget sends it again."""
    language = connection.language or get_settings().default_language
    await connection.send({"type": "error", "error": "unavailable",
                           "detail": customer_text("web.unavailable", language),
                           "retry_after": UNAVAILABLE_RETRY_SECONDS,
                           "client_message_id": frame.get("client_message_id")})


@router.get("/static/widget.js", include_in_schema=False)
def widget() -> Response:
    """Served ahead of the /static files: the script with the customer texts filled in."""
    return Response(widget_script(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


def _frame(message: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in one WebSocket message.

    Raises WebSocketDisconnect when the widget left, InvalidFrame for a frame the widget is
    told about, and Refused for data no widget sends (binary, absurdly nested JSON).
    """
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    raw = message.get("text")
    if raw is None:
        raise Refused(1003, "invalid", "Frames must be JSON text, not binary")
    if len(raw.encode()) > MAX_FRAME_BYTES:
        raise InvalidFrame("too_long", f"Frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        frame = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InvalidFrame("invalid", "Frames must be JSON objects") from error
    except RecursionError as error:  # nesting deeper than the parser's stack
        raise Refused(1007, "invalid", "Frames must be flat JSON objects") from error
    if not isinstance(frame, dict):
        raise InvalidFrame("invalid", "Frames must be JSON objects")
    return frame


async def _close(connection: ChatConnection, refusal: Refused) -> None:
    """Tell the widget why (in the customer's language), then close with the code."""
    language = connection.language or get_settings().default_language
    detail = refusal.detail or customer_text(f"web.{refusal.error}", language)
    frame: dict[str, Any] = {"type": "error", "error": refusal.error, "detail": detail}
    if refusal.retry_after:
        frame["retry_after"] = refusal.retry_after
    logger.info("Chat socket closed (%s, code %s)", refusal.error, refusal.code)
    with contextlib.suppress(Exception):  # the widget may be gone already
        await connection.send(frame)
        await connection.websocket.close(code=refusal.code)


@router.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    limits: AddressLimits = websocket.app.state.chat_limits
    address = websocket.client.host if websocket.client else "unknown"
    connection = ChatConnection(websocket, address, limits)
    if not limits.connect(address):
        await _close(connection, Refused(1008, "too_many_connections",
                                         retry_after=round(limits.window)))
        return
    WEBSOCKETS.inc()
    try:
        while True:
            try:
                frame = _frame(await websocket.receive())
            except InvalidFrame as invalid:
                if invalid.error == "too_long":
                    await connection.send({"type": "error", "error": "too_long",
                                           "detail": _too_long_text(connection),
                                           "limit": MAX_MESSAGE_CHARS})
                else:
                    await connection.error(invalid.error, invalid.detail)
                continue
            try:
                await _handle(connection, frame)
            except Exception as error:
                if not is_transient(error):
                    raise
                logger.warning("Database unavailable for a %s frame", frame.get("type"))
                DATABASE_RETRIES.inc()  # the widget sends it again
                await _unavailable(connection, frame)
    except WebSocketDisconnect:
        pass
    except Refused as refusal:
        await _close(connection, refusal)
    finally:
        limits.disconnect(address)
        WEBSOCKETS.dec()
        await connection.detach()
