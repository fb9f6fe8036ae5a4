"""Server-sent events for the agent inbox: new handoffs, messages, typing, as they happen.

A comment line is sent every HEARTBEAT_SECONDS so proxies keep the connection open and the
browser's EventSource notices a dead connection and reconnects.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from handoff.auth.deps import StreamAgent
from handoff.live import INBOX, hub

router = APIRouter(tags=["events"])
HEARTBEAT_SECONDS = 15.0


def format_event(event: dict[str, Any]) -> str:
    """`event: <name>` + `data: <json>` + blank line (JSON never contains a raw newline)."""
    data = json.dumps(event.get("data", {}), ensure_ascii=False, default=str)
    return f"event: {event.get('event', 'message')}\ndata: {data}\n\n"


async def inbox_events(
    disconnected: Callable[[], Awaitable[bool]], heartbeat_seconds: float = HEARTBEAT_SECONDS
) -> AsyncIterator[str]:
    """The inbox topic as SSE text until the client goes away."""
    async with hub.subscribe(INBOX) as queue:
        yield ": connected\n\n"
        while not await disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), timeout=heartbeat_seconds)
            except asyncio.TimeoutError:
                yield ": heartbeat\n\n"
                continue
            yield format_event(event)


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(request: Request, _agent: StreamAgent) -> StreamingResponse:
    return StreamingResponse(
        inbox_events(request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
