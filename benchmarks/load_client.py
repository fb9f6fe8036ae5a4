"""A resilient website chat client (docs/widget-protocol.md) for load and fault tests.

`ChatClient` keeps one conversation alive across dropped connections, the way the widget
does: every message carries a `client_message_id` and counts as acknowledged when its echo
(a `customer` message frame with that id and a `seq`) arrives. When the socket drops, it
reconnects to the same URL with exponential back-off, sends `resume` with the highest
`seq` seen, and once the replay has ended (the `state` frame that closes it) re-sends every
unacknowledged message with the same id, which the gateway stores at most once. An
`error` frame with `retry_after` (`unavailable`: the message could not be stored;
`rate_limited`) has the message re-sent after that many seconds (or the `start`/`resume`,
when that was what the gateway could not serve).

Every frame received is kept in `frames`; message frames whose `seq` was already seen are
counted in `duplicates` (the gateway promises each message exactly once), and `missing_seqs()`
lists the holes in the sequence.

A turn (`turn()`) ends when the message was acknowledged, a bot, agent or system message with
a higher `seq` arrived, and then either a `state` frame came (the gateway sends it after the
replies that changed who serves the customer) or nothing arrived for `quiet` seconds (the
replies to one message are stored together and sent back to back, so a pause means the bot
is done). Round trip: from the first send until that first reply.

    client = ChatClient("http://127.0.0.1:8000", locale="en-US")
    await client.start()
    await client.turn(await client.say("Where is my order ORD-583920?"))
    await client.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

Frame = dict[str, Any]
FIRST_BACKOFF = 0.2  # seconds before the first reconnect attempt, doubled per failure
MAX_BACKOFF = 5.0
CONNECT_TIMEOUT = 10.0


class ConversationLost(Exception):
    """The gateway refused to resume the conversation (`unknown_conversation`)."""


@dataclass
class SentMessage:
    """One customer message and what became of it (times from time.perf_counter)."""

    client_message_id: str
    frame: Frame
    conversation_id: str  # where it was sent; the echo's when it arrived
    state_at_send: str  # bot | queued | assigned | closed: who was serving the customer
    sent_at: float = 0.0
    sends: int = 0  # 1 + re-sends
    seq: int | None = None
    acked_at: float | None = None
    replied_at: float | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None

    @property
    def round_trip(self) -> float | None:
        """Seconds from the first send to the first bot/agent/system message after the echo."""
        return None if self.replied_at is None else self.replied_at - self.sent_at


@dataclass
class ChatClient:
    gateway_url: str
    locale: str = "id-ID"
    quiet: float = 0.3  # a turn is over after this long without a frame
    conversation_id: str = ""
    token: str = ""
    state: str = "bot"
    conversation_ids: list[str] = field(default_factory=list)  # every one attached
    frames: list[Frame] = field(default_factory=list)
    sent: dict[str, SentMessage] = field(default_factory=dict)  # by client_message_id
    highest_seq: int = 0
    duplicates: int = 0  # message frames whose seq had already arrived
    reconnects: int = 0  # connections opened again after a drop
    errors: Counter[str] = field(default_factory=Counter)  # error frames by kind, timeouts

    def __post_init__(self) -> None:
        self.url = self.gateway_url.replace("http", "ws", 1) + "/ws/chat"
        self._seen: set[int] = set()
        self._ws: websockets.WebSocketClientProtocol | None = None
        self._ready = False  # attached, and any replay after a resume has ended
        self._arrived = asyncio.Event()  # replaced after every frame: wakes all waiters
        self._last_frame_at = 0.0
        self._awaiting_reply: SentMessage | None = None
        self._closing = False
        self._lost: BaseException | None = None
        self._tasks: set[asyncio.Task] = set()
        self._runner: asyncio.Task | None = None

    # --- public API -----------------------------------------------------------------------

    async def start(self, timeout: float = 30.0) -> None:
        """Connect and start a new conversation; returns once the gateway attached it."""
        self._runner = asyncio.create_task(self._run())
        await self._until(lambda: self._ready, timeout)

    async def say(self, text: str) -> SentMessage:
        return await self._send_message({"type": "message", "text": text})

    async def click(self, title: str, payload: str) -> SentMessage:
        return await self._send_message({"type": "button", "title": title, "payload": payload})

    async def turn(self, message: SentMessage, timeout: float = 60.0) -> None:
        """Wait until `message` was answered and the answer is complete (see module doc)."""
        deadline = time.perf_counter() + timeout
        await self._until(lambda: message.replied_at is not None, timeout)
        while self.frames[-1].get("type") != "state" and time.perf_counter() < deadline:
            quiet_left = self._last_frame_at + self.quiet - time.perf_counter()
            if quiet_left <= 0:
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await self._next_frame(quiet_left)

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = 60.0,
                       since: int = 0) -> Frame:
        """The first frame from index `since` on that matches, waiting for it if need be."""
        def first() -> Frame | None:
            return next((f for f in self.frames[since:] if predicate(f)), None)

        await self._until(lambda: first() is not None, timeout)
        return first()

    def last_bot_message(self) -> Frame | None:
        return next((f for f in reversed(self.frames)
                     if f.get("type") == "message" and f.get("sender") == "bot"), None)

    def unacknowledged(self) -> list[SentMessage]:
        return [m for m in self.sent.values() if not m.acknowledged]

    def missing_seqs(self) -> list[int]:
        """Sequence numbers below the highest one seen that never arrived."""
        return sorted(set(range(1, self.highest_seq + 1)) - self._seen)

    async def drop(self) -> None:
        """Cut the connection without a closing handshake (for fault tests); it reconnects."""
        if self._ws is not None:
            self._ws.transport.abort()

    async def close(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner

    # --- connection -----------------------------------------------------------------------

    async def _run(self) -> None:
        """Connect, read until the socket drops, reconnect with back-off; until close()."""
        backoff = FIRST_BACKOFF
        connected_before = False
        while not self._closing:
            try:
                ws = await websockets.connect(self.url, open_timeout=CONNECT_TIMEOUT,
                                              max_size=2**20)
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
                self.errors["connect_failed"] += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = FIRST_BACKOFF
            if connected_before:
                self.reconnects += 1
            connected_before = True
            self._ws = ws
            try:
                await self._hello(ws)
                async for raw in ws:
                    await self._on_frame(json.loads(raw))
            except websockets.ConnectionClosed:
                pass
            except ConversationLost as error:
                self._lost = error
                self._wake()
                return
            finally:
                self._ws, self._ready = None, False
                with contextlib.suppress(Exception):
                    await ws.close()
            if not self._closing:
                self.errors["disconnected"] += 1

    async def _hello(self, ws: websockets.WebSocketClientProtocol) -> None:
        if self.conversation_id:
            frame = {"type": "resume", "conversation_id": self.conversation_id,
                     "token": self.token, "after_seq": self.highest_seq}
        else:
            frame = {"type": "start", "locale": self.locale}
        await ws.send(json.dumps(frame))

    async def _send_message(self, frame: Frame) -> SentMessage:
        if self._lost is not None:
            raise self._lost
        client_id = uuid.uuid4().hex
        message = SentMessage(client_id, {**frame, "client_message_id": client_id},
                              self.conversation_id, self.state, sent_at=time.perf_counter())
        self.sent[client_id] = message
        if self._ready:  # otherwise the resume after the reconnect sends it
            await self._transmit(message)
        return message

    async def _transmit(self, message: SentMessage) -> None:
        if message.acknowledged or self._ws is None:
            return
        message.sends += 1
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._ws.send(json.dumps(message.frame))

    def _later(self, delay: float, action: Callable[[], Awaitable[None]]) -> None:
        async def run() -> None:
            await asyncio.sleep(max(0.0, delay))
            with contextlib.suppress(websockets.ConnectionClosed):
                await action()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resend(self, messages: list[SentMessage]) -> None:
        for message in messages:
            if self._ready:  # otherwise the next resume re-sends them
                await self._transmit(message)

    async def _hello_again(self, ws: websockets.WebSocketClientProtocol) -> None:
        if self._ws is ws and not self._ready:  # not after a reconnect: that said hello
            await self._hello(ws)

    # --- frames ---------------------------------------------------------------------------

    async def _on_frame(self, frame: Frame) -> None:
        now = time.perf_counter()
        self.frames.append(frame)
        self._last_frame_at = now
        kind = frame.get("type")
        if kind == "conversation":
            self.conversation_id, self.token = frame["conversation_id"], frame["token"]
            if self.conversation_id not in self.conversation_ids:
                # a message after "chat closed" starts another conversation on this socket
                self.conversation_ids.append(self.conversation_id)
        elif kind == "message":
            self._on_message(frame, now)
        elif kind == "state":
            self.state = frame.get("state") or self.state
            if not self._ready:  # the replay after start/resume is over: re-send the rest
                self._ready = True
                for message in self.unacknowledged():
                    await self._transmit(message)
        elif kind == "error":
            await self._on_error(frame)
        self._wake()

    def _on_message(self, frame: Frame, now: float) -> None:
        seq = frame.get("seq")
        if not isinstance(seq, int):
            self.errors["message_without_seq"] += 1
            return
        if seq in self._seen:
            self.duplicates += 1
            return
        self._seen.add(seq)
        self.highest_seq = max(self.highest_seq, seq)
        if frame.get("sender") == "customer":
            message = self.sent.get(frame.get("client_message_id") or "")
            if message is None:
                self.errors["foreign_echo"] += 1  # stored, but not sent by this client
            elif not message.acknowledged:
                message.seq, message.acked_at = seq, now
                message.conversation_id = frame.get("conversation_id") or message.conversation_id
                self._awaiting_reply = message
        elif self._awaiting_reply is not None and seq > (self._awaiting_reply.seq or 0):
            self._awaiting_reply.replied_at = now
            self._awaiting_reply = None

    async def _on_error(self, frame: Frame) -> None:
        kind = str(frame.get("error") or "unknown")
        self.errors[kind] += 1
        if kind == "unknown_conversation" and not self._ready:
            raise ConversationLost(f"{self.conversation_id}: {frame.get('detail')}")
        retry_after = frame.get("retry_after")
        if not isinstance(retry_after, (int, float)):
            return
        if not self._ready:  # the start or resume itself could not be served
            ws = self._ws
            self._later(retry_after, lambda: self._hello_again(ws))
            return
        named = self.sent.get(frame.get("client_message_id") or "")
        # rate_limited names no message: re-send whatever is still unacknowledged.
        messages = [named] if named else self.unacknowledged()
        self._later(retry_after, lambda: self._resend(messages))

    # --- waiting --------------------------------------------------------------------------

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def _next_frame(self, timeout: float) -> None:
        await asyncio.wait_for(self._arrived.wait(), max(0.0, timeout))

    async def _until(self, condition: Callable[[], bool], timeout: float) -> None:
        """Wait until `condition()` holds, re-checking after every frame."""
        deadline = time.perf_counter() + timeout
        while not condition():
            if self._lost is not None:
                raise self._lost
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.errors["timeout"] += 1
                raise asyncio.TimeoutError
            with contextlib.suppress(asyncio.TimeoutError):
                await self._next_frame(remaining)
