"""In-process publish/subscribe for live updates (inbox events, widget frames).

Topics: "inbox" for agents' screens, "conversation:<id>" for a customer's widget.
Several gateway instances fan out through PostgreSQL LISTEN/NOTIFY instead (production
mode); the interface stays the same.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

INBOX = "inbox"
QUEUE_LIMIT = 1000  # a stalled subscriber loses the oldest events, never blocks others


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Hub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._subscribers[topic].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[topic].discard(queue)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))


hub = Hub()
