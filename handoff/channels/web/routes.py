"""The website chat: the widget's WebSocket `/ws/chat` (frames in docs/widget-protocol.md)
and the widget script itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections import deque
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from sqlalchemy.orm import Session

from handoff.channels.web.outbound import message_frame
from handoff.channels.web.widget import widget_script
from handoff.conversations import flow
from handoff.live import conversation_topic, hub
from handoff.monitoring import DATABASE_RETRIES, WEBSOCKETS
from handoff.serialize import message_json
from handoff.texts import customer_text
from store.db import is_transient, session_scope
from store.models import Conversation
from store.settings import get_settings
from store.transcript import InvalidMessage, messages_after

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_FRAME_BYTES = 16 * 1024
UNAVAILABLE_RETRY_SECONDS = 2


class MessageRate:
    """At most `limit` accepted messages in any `window` seconds (a sliding window).

    Only accepted messages count, so a widget retrying a refused message every few seconds
    gets through as soon as the window has room again.
    """

    def __init__(self, limit: int, window: float, clock=time.monotonic) -> None:  # noqa: ANN001
        self.limit, self.window, self.clock = limit, window, clock
        self._accepted: deque[float] = deque()

    def retry_after(self) -> int:
        """0 when a message may be sent now, else the seconds until one may."""
        now = self.clock()
        while self._accepted and self._accepted[0] <= now - self.window:
            self._accepted.popleft()
        if len(self._accepted) < self.limit:
            return 0
        return max(1, math.ceil(self._accepted[0] + self.window - now))

    def accepted(self) -> None:
        self._accepted.append(self.clock())


class ChatConnection:
    """One widget connection: at most one conversation, frames sent strictly in order."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.conversation_id: str | None = None
        self.language: str | None = None
        self.last_seq = 0
        self._send_lock = asyncio.Lock()
        self._forwarder: asyncio.Task | None = None
        settings = get_settings()
        self.rate = MessageRate(settings.chat_message_limit, settings.chat_window_seconds)

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
        """Follow a conversation: live frames first (so nothing slips between), then replay."""
        await self.detach()
        self.conversation_id, self.last_seq = conversation_id, max(0, after_seq)
        subscribed, replayed = asyncio.Event(), asyncio.Event()
        self._forwarder = asyncio.create_task(
            self._forward(conversation_id, subscribed, replayed))
        await subscribed.wait()
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
    elif kind == "start":
        conversation_id, token = await asyncio.to_thread(
            flow.start_conversation, language=_language_hint(frame.get("locale")))
        await connection.attach(conversation_id, token)
    elif kind == "resume":
        conversation_id, token = str(frame.get("conversation_id") or ""), str(
            frame.get("token") or "")
        if not await asyncio.to_thread(flow.token_matches, conversation_id, token):
            await connection.error("unknown_conversation",
                                   "This conversation cannot be resumed; start a new one.")
            return
        after = frame.get("after_seq")
        await connection.attach(conversation_id, token, after if isinstance(after, int) else 0)
    elif kind in ("message", "button"):
        await _customer_message(connection, frame)
    elif kind == "typing":
        if connection.conversation_id:
            await flow.customer_typing(connection.conversation_id)
    else:
        await connection.error("invalid", f"Unknown frame type {kind!r}")


async def _customer_message(connection: ChatConnection, frame: dict[str, Any]) -> None:
    text = frame.get("title") if frame.get("type") == "button" else frame.get("text")
    payload = str(frame["payload"])[:500] if frame.get("type") == "button" and frame.get(
        "payload") else None
    client_id = frame.get("client_message_id")
    client_id = str(client_id)[:64] if client_id else None
    if connection.conversation_id is None or await asyncio.to_thread(
            flow.is_closed, connection.conversation_id):
        # A message after "chat closed" (or without start) opens a new conversation.
        conversation_id, token = await asyncio.to_thread(
            flow.start_conversation, language=_language_hint(frame.get("locale")))
        await connection.attach(conversation_id, token)
    retry_after = connection.rate.retry_after()
    if retry_after:
        await _rate_limited(connection, retry_after)
        return
    try:
        await flow.customer_message(connection.conversation_id, text, payload=payload,
                                       client_message_id=client_id)
    except InvalidMessage as error:
        await connection.error(error.error, error.detail)
        return
    connection.rate.accepted()


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


@router.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    connection = ChatConnection(websocket)
    WEBSOCKETS.inc()
    try:
        while True:
            raw = await websocket.receive_text()
            if len(raw.encode()) > MAX_FRAME_BYTES:
                await connection.error("too_long", f"Frames are limited to {MAX_FRAME_BYTES} "
                                                   "bytes")
                continue
            try:
                frame = json.loads(raw)
            except json.JSONDecodeError:
                await connection.error("invalid", "Frames must be JSON objects")
                continue
            if not isinstance(frame, dict):
                await connection.error("invalid", "Frames must be JSON objects")
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
    finally:
        WEBSOCKETS.dec()
        await connection.detach()
