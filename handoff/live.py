"""Publish/subscribe for live updates (inbox events, widget frames), in-process or through Redis.

Topics: "inbox" for agents' screens, "conversation:<id>" for a customer's widget.
LIVE_FANOUT=memory (default): publish() hands events straight to this process's subscribers,
so the gateway must run as one instance.
LIVE_FANOUT=redis (REDIS_URL, default redis://127.0.0.1:6379/0): every instance publishes to
Redis and delivers what Redis sends back, its own events included, so a subscriber gets each
event exactly once whichever instance published it. Order is kept per publishing instance
(one outbound queue, one publisher connection); events of different instances may interleave.
While Redis is unreachable events are lost, not replayed: the widget fills gaps from the
database by seq. Until start() and after stop() a hub delivers in-process only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub

from store.settings import get_settings

logger = logging.getLogger(__name__)

INBOX = "inbox"
QUEUE_LIMIT = 1000  # a stalled subscriber loses the oldest events, never blocks others
OUTBOX_LIMIT = 10_000  # events waiting for Redis; when full the oldest are dropped
CHANNEL_PREFIX = "shop:live:"
START_WAIT_SECONDS = 3.0  # start() waits this long for the subscription, then goes on without
FLUSH_SECONDS = 2.0  # stop() gives queued events this long to reach Redis
PING_SECONDS = 10.0  # a silent subscription is pinged; one silent for 3x this is reconnected
BACKOFF_FIRST, BACKOFF_MAX = 0.1, 5.0

Deliver = Callable[[str, dict[str, Any]], None]


def configured_fanout(override: str | None = None) -> str:
    """LIVE_FANOUT (or the override), normalised: "memory" or "redis" as configured."""
    return (override or get_settings().live_fanout).strip().lower()


def configured_redis_url(override: str | None = None) -> str:
    return override or get_settings().redis_url


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Hub:
    def __init__(self, fanout: str | None = None, redis_url: str | None = None) -> None:
        """`fanout` and `redis_url` override LIVE_FANOUT and REDIS_URL (read by start())."""
        # Each subscriber's queue with the event loop it is read on.
        self._subscribers: dict[str, dict[asyncio.Queue, asyncio.AbstractEventLoop]] = (
            defaultdict(dict))
        self._fanout, self._redis_url = fanout, redis_url
        self._relay: _RedisRelay | None = None

    @property
    def fanout(self) -> str:
        """The backend in use right now: "redis" between start() and stop(), else "memory"."""
        return "redis" if self._relay else "memory"

    async def start(self) -> None:
        """Connect to Redis when so configured; returns even when Redis is not up yet."""
        fanout = configured_fanout(self._fanout)
        if fanout not in ("memory", "redis"):
            raise ValueError(f"LIVE_FANOUT must be memory or redis, got {fanout!r}")
        if fanout == "memory" or self._relay:
            return
        url = configured_redis_url(self._redis_url)
        self._relay = _RedisRelay(url, self._deliver)
        await self._relay.start()

    async def stop(self) -> None:
        relay, self._relay = self._relay, None
        if relay:
            await relay.stop()

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._subscribers[topic][queue] = asyncio.get_running_loop()
        try:
            yield queue
        finally:
            self._subscribers[topic].pop(queue, None)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Never blocks: with Redis the event is queued for the publisher task. Safe from
        any thread: a worker thread's event is handed to the loop that owns the queue."""
        if self._relay:
            self._relay.send(topic, event)
        else:
            self._deliver(topic, event)

    def subscriber_count(self, topic: str) -> int:
        """Subscribers in this process only."""
        return len(self._subscribers.get(topic, ()))

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue, loop in list(self._subscribers.get(topic, {}).items()):
            call_on(loop, _put, queue, event)


def _put(queue: asyncio.Queue, event: dict[str, Any]) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)


def call_on(loop: asyncio.AbstractEventLoop, function: Callable[..., None], *args: Any) -> None:
    """function(*args) on `loop`: at once from that loop, else handed over thread-safely
    (asyncio queues may only be touched from their own loop). A closed loop gets nothing."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        function(*args)
    elif not loop.is_closed():
        loop.call_soon_threadsafe(function, *args)


def _backoff(failures: int) -> float:
    """Doubling delay with jitter, so restarted instances don't reconnect in lockstep."""
    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(failures - 1, 10))
    return delay * random.uniform(0.5, 1.0)


async def _cancel(task: asyncio.Task) -> None:
    """Cancel and wait, cancelling again if need be: a cancellation that lands as one of
    redis-py's read timeouts expires is swallowed (async-timeout on Python 3.10)."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.1)


class _RedisRelay:
    """One publisher task draining an ordered outbox; one subscription feeding local queues.

    The subscription is a single PSUBSCRIBE on CHANNEL_PREFIX*, not a SUBSCRIBE per topic:
    widgets attach and leave all the time, and a per-topic subscription would have to be
    confirmed by Redis before subscribe() returned or the first events after attaching could
    slip by (chat.py replays from the database right after subscribing). So every instance
    receives every event and drops those nobody here follows: one dict lookup each.
    """

    def __init__(self, url: str, deliver: Deliver) -> None:
        self._client = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=2,
                                         socket_timeout=5, socket_keepalive=True)
        self._deliver = deliver
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self._subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._dropped = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._publish_forever(), name="live-publish"),
                       asyncio.create_task(self._listen_forever(), name="live-listen")]
        try:
            await asyncio.wait_for(self._subscribed.wait(), START_WAIT_SECONDS)
        except asyncio.TimeoutError:
            logger.warning("Live updates: Redis not reachable yet, retrying in the background")

    async def stop(self) -> None:
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.join(), FLUSH_SECONDS)
        for task in self._tasks:
            await _cancel(task)
        await self._client.close()  # from_url() made the pool: this closes it too

    def send(self, topic: str, event: dict[str, Any]) -> None:
        try:
            payload = json.dumps(event, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            logger.exception("Live updates: event for %s is not JSON, dropped", topic)
            return
        if self._loop is not None:
            call_on(self._loop, self._queue, CHANNEL_PREFIX + topic, payload)

    def _queue(self, channel: str, payload: str) -> None:
        if self._outbox.full():
            self._outbox.get_nowait()
            self._outbox.task_done()
            if not self._dropped:
                logger.warning("Live updates: outbox full (Redis down?), dropping oldest events")
            self._dropped += 1
        self._outbox.put_nowait((channel, payload))

    async def _publish_forever(self) -> None:
        failures = 0
        while True:
            channel, payload = await self._outbox.get()
            while True:  # retry this event until it goes out: later ones must not overtake it
                try:
                    await self._client.publish(channel, payload)
                    break
                except Exception as error:  # whatever it is: keep the gateway up, retry
                    failures += 1
                    if failures == 1:
                        logger.warning("Live updates: publishing to Redis failed (%s), retrying",
                                       error)
                    await asyncio.sleep(_backoff(failures))
            if failures:
                logger.info("Live updates: publishing to Redis again")
                failures = 0
            self._outbox.task_done()
            if self._dropped and self._outbox.empty():
                logger.warning("Live updates: %d events were dropped", self._dropped)
                self._dropped = 0

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                # Subscribed once Redis says so: then start() may return and events flow.
                reply = await pubsub.get_message(timeout=5)
                if not reply or reply["type"] != "psubscribe":
                    raise ConnectionError(f"PSUBSCRIBE not confirmed ({reply})")
                self._subscribed.set()
                if failures:
                    logger.info("Live updates: Redis subscription restored")
                failures = 0
                await self._receive(pubsub)
            except Exception as error:  # whatever went wrong: reconnect
                self._subscribed.clear()
                failures += 1
                if failures == 1:
                    logger.warning("Live updates: Redis subscription lost (%s), reconnecting",
                                   error)
                await asyncio.sleep(_backoff(failures))
            finally:
                with suppress(Exception):
                    await pubsub.close()

    async def _receive(self, pubsub: PubSub) -> None:
        """Dispatch messages until the connection fails or stays silent despite a PING
        (a dead peer behind a firewall sends no reset)."""
        loop = asyncio.get_running_loop()
        heard = loop.time()
        while True:
            message = await pubsub.get_message(timeout=PING_SECONDS)
            now = loop.time()
            if message is not None:
                heard = now
                if message["type"] == "pmessage":
                    self._dispatch(message["channel"], message["data"])
            elif now - heard > 3 * PING_SECONDS:
                raise ConnectionError("no answer to PING")
            else:
                await pubsub.ping()  # the pong comes back as a message

    def _dispatch(self, channel: str, data: str) -> None:
        topic = channel.removeprefix(CHANNEL_PREFIX)
        try:
            event = json.loads(data)
        except ValueError:
            logger.warning("Live updates: malformed event on %s ignored", channel)
            return
        self._deliver(topic, event)


hub = Hub()
