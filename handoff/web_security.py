"""HTTP hardening for every response and request: security headers and a body size limit.

Both are plain ASGI middleware (not BaseHTTPMiddleware) so streamed responses (exports,
server-sent events) pass through untouched and WebSockets are not involved at all.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from store.settings import get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; frame-ancestors 'none'"
)

# Every JSON API answer may carry personal data (transcripts, exports, handoffs, the event
# stream, tokens): no browser or proxy cache may keep a copy.
NO_STORE_PREFIXES = ("/api/", "/attachments/", "/chat/")

MAX_BODY_BYTES = 64 * 1024  # JSON API bodies: the largest legitimate one is a 4000-char text
# Rasa's callback carries a bot reply (up to 20,000 characters) with its buttons.
BODY_LIMITS = {"/rasa/": 256 * 1024}
# Photo and video uploads (store.attachments): the largest file the settings allow.
UPLOAD_PREFIXES = ("/chat/attachments", "/api/v1/handoffs/")
# The WhatsApp webhook checks its own limit on the raw bytes it must sign-check.
UNLIMITED_PREFIXES = ("/webhooks/",)
_BODYLESS_METHODS = ("GET", "HEAD", "OPTIONS")


class SecurityHeaders:
    """CSP, nosniff, same-origin referrers and no framing on every HTTP response;
    Cache-Control: no-store on the API's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if scope["path"].startswith(NO_STORE_PREFIXES):
            added.append((b"cache-control", b"no-store"))
        names = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Widget requests other than the socket: uploads and its conversation's files.
WIDGET_HTTP_PREFIXES = ("/chat/", "/attachments/")
WIDGET_HEADERS = ["Content-Type", "X-Conversation-Id", "X-Conversation-Token", "X-File-Name",
                  "X-Client-Message-Id", "X-Language"]


class WidgetCors:
    """The widget embedded on the store's own site (WIDGET_ORIGINS) may upload and fetch its
    conversation's files across origins; nothing else of the gateway is opened to other
    origins, and no cookie or credential is involved (the token is a header)."""

    def __init__(self, app: ASGIApp) -> None:
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        origins = list(get_settings().widget_origins)
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                   allow_headers=WIDGET_HEADERS, max_age=600) if origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        widget = scope["type"] == "http" and scope["path"].startswith(WIDGET_HTTP_PREFIXES)
        await (self.cors if self.cors and widget else self.app)(scope, receive, send)


def body_limit_for(path: str) -> int | None:
    """The largest request body accepted on `path` in bytes; None = checked elsewhere."""
    if path.startswith(UNLIMITED_PREFIXES):
        return None
    if path.startswith(UPLOAD_PREFIXES) and path.endswith("/attachments"):
        return get_settings().attachments.upload_max_bytes
    for prefix, limit in BODY_LIMITS.items():
        if path.startswith(prefix):
            return limit
    return MAX_BODY_BYTES


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"Request body too large: the limit is {limit} bytes"})
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body.encode()})


class BodySizeLimit:
    """413 for bodies over the limit, whether declared (Content-Length) or streamed.

    The body is read here (at most limit + one chunk, so 64 KiB) and handed on unchanged;
    a chunked upload cannot get round the limit by not declaring its length.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        if scope["method"] in _BODYLESS_METHODS and not declared:
            await self.app(scope, receive, send)
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                await self.app(scope, _replay([message], receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _too_large(send, limit)
                return
        await self.app(scope, _replay([{"type": "http.request", "body": bytes(body),
                                        "more_body": False}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replaying_receive() -> Message:
        return pending.pop(0) if pending else await receive()

    return replaying_receive


__all__ = [
    "BODY_LIMITS",
    "CONTENT_SECURITY_POLICY",
    "MAX_BODY_BYTES",
    "NO_STORE_PREFIXES",
    "BodySizeLimit",
    "SecurityHeaders",
    "body_limit_for",
]
