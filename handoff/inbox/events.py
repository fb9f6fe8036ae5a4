"""Server-sent events for the agent inbox: new handoffs, messages, typing, as they happen.

Each viewer gets the events as the REST views show them (assignment.as_seen_by: raw only
for the agent working the handoff). The viewer's token is checked again before every event
and at every heartbeat, so a stream ends, with a `session_ended` event, once its token is
revoked (logout, password change, an admin), expires or its account is deactivated; no
event is sent after that. A comment line is sent every HEARTBEAT_SECONDS so proxies keep
the connection open and the browser's EventSource notices a dead connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from handoff.auth.credentials import AuthError, agent_for_token
from handoff.auth.deps import StreamLogin, StreamLoginDep
from handoff.inbox.assignment import as_seen_by, held_by
from handoff.live import INBOX, hub
from store.db import is_transient, session_scope
from store.models import Handoff, utcnow

logger = logging.getLogger(__name__)
router = APIRouter(tags=["events"])
HEARTBEAT_SECONDS = 15.0
SESSION_ENDED = "event: session_ended\ndata: {}\n\n"


class SessionEnded(Exception):
    """The viewer's token no longer opens the inbox."""


def format_event(event: dict[str, Any]) -> str:
    """`event: <name>` + `data: <json>` + blank line (JSON never contains a raw newline)."""
    data = json.dumps(event.get("data", {}), ensure_ascii=False, default=str)
    return f"event: {event.get('event', 'message')}\ndata: {data}\n\n"


def _handoff_id(event: dict[str, Any]) -> Any:
    data = event.get("data") or {}
    return (data.get("handoff") or {}).get("id") or data.get("handoff_id")


def as_seen_by_viewer(token: str, event: dict[str, Any] | None) -> dict[str, Any] | None:
    """`event` as the token's agent may see it (None stays None: a heartbeat's check).

    Runs in a worker thread: a database read, and spaCy for the redaction.
    """
    with session_scope() as session:
        try:
            viewer = agent_for_token(session, token)
        except AuthError as error:
            raise SessionEnded() from error
        if event is None:
            return None
        handoff_id = _handoff_id(event)
        handoff = session.get(Handoff, handoff_id) if isinstance(handoff_id, int) else None
        holds_it = handoff is not None and held_by(handoff, viewer)
    return {**event, "data": as_seen_by(event.get("data") or {}, holds_it)}


async def inbox_events(
    login: StreamLogin,
    disconnected: Callable[[], Awaitable[bool]],
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> AsyncIterator[str]:
    """The inbox topic as SSE text for one viewer, until they leave or their session ends."""
    async with hub.subscribe(INBOX) as queue:
        yield ": connected\n\n"
        while not await disconnected():
            until_expiry = (login.expires_at - utcnow()).total_seconds()
            try:
                event = await asyncio.wait_for(
                    queue.get(), timeout=max(0.0, min(heartbeat_seconds, until_expiry)))
            except asyncio.TimeoutError:
                event = None
            try:
                seen = await asyncio.to_thread(as_seen_by_viewer, login.token, event)
            except SessionEnded:
                yield SESSION_ENDED
                return
            except Exception as error:  # unverifiable now: end; the browser reconnects
                if not is_transient(error):
                    raise
                logger.warning("Event stream ended: database unavailable")
                return
            yield format_event(seen) if seen else ": heartbeat\n\n"


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(request: Request, login: StreamLoginDep) -> StreamingResponse:
    return StreamingResponse(
        inbox_events(login, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
