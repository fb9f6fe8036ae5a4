"""A protocol-level stand-in for the gateway's `/ws/chat`, for what the real one cannot be
made to do on demand in a test: answer `unavailable` while "the database is down".

It serves the real demo store page and the real widget (with the real security headers),
so the browser runs exactly what customers get; only the server's answers are scripted.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from handoff.channels.web.routes import widget
from handoff.pages import STATIC_DIR, store_page
from handoff.web_security import SecurityHeaders

UNAVAILABLE_DETAIL = {
    "id": "Maaf Kak, server sedang sibuk. Pesannya akan kami coba lagi sebentar lagi.",
    "en": "Sorry, the server is busy. We will try your message again in a moment.",
}


class FakeGateway:
    """While `available` is False every message frame is refused with `unavailable`
    (nothing stored); afterwards each one is stored and echoed, as the real gateway does.
    The first `refused_starts` start frames are refused the same way."""

    def __init__(self, retry_after: int = 1, refused_starts: int = 0) -> None:
        self.retry_after = retry_after
        self.refused_starts = refused_starts
        self.available = False
        self.received: list[tuple[float, dict[str, Any]]] = []  # (monotonic time, frame)
        self.app = Starlette(
            routes=[
                Route("/", lambda request: store_page()),
                WebSocketRoute("/ws/chat", self.chat),
                Route("/static/widget.js", lambda request: widget()),
                Mount("/static", StaticFiles(directory=STATIC_DIR)),
            ],
            middleware=[Middleware(SecurityHeaders)],
        )

    def messages(self) -> list[tuple[float, dict[str, Any]]]:
        return [(at, frame) for at, frame in self.received if frame.get("type") == "message"]

    async def chat(self, websocket: WebSocket) -> None:
        await websocket.accept()
        language, stored = "id", {}  # client_message_id -> seq: a retry is stored once
        async for raw in websocket.iter_text():
            frame = json.loads(raw)
            self.received.append((time.monotonic(), frame))
            kind = frame.get("type")
            if kind == "start" and self.refused_starts:
                self.refused_starts -= 1
                await websocket.send_json({
                    "type": "error", "error": "unavailable", "detail": UNAVAILABLE_DETAIL[language],
                    "retry_after": self.retry_after, "client_message_id": None})
            elif kind == "start":
                language = "en" if str(frame.get("locale", "")).startswith("en") else "id"
                await websocket.send_json({"type": "conversation", "conversation_id": "fake",
                                           "token": "fake-token", "language": language})
                await websocket.send_json({"type": "state", "state": "bot", "agent_name": None,
                                           "wait_minutes": None, "language": language})
            elif kind == "ping":
                await websocket.send_json({"type": "pong"})
            elif kind == "message" and not self.available:
                await websocket.send_json({
                    "type": "error", "error": "unavailable", "detail": UNAVAILABLE_DETAIL[language],
                    "retry_after": self.retry_after,
                    "client_message_id": frame["client_message_id"]})
            elif kind == "message":
                client_id = frame["client_message_id"]
                seq = stored.setdefault(client_id, len(stored) + 1)
                await websocket.send_json({
                    "type": "message", "sender": "customer", "text": frame["text"], "buttons": [],
                    "seq": seq, "conversation_id": "fake", "agent_name": None,
                    "created_at": "2026-01-01T00:00:00Z", "client_message_id": client_id})
