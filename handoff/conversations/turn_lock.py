"""One bot exchange at a time per conversation, on every gateway instance.

A bot exchange is more than one request to Rasa (the survey after a resolve is four), and
the customer's next message must not slip in between, or Rasa reads it mid-turn and never
answers. In one process an asyncio.Lock per conversation is enough. With several gateway
instances (LIVE_FANOUT=redis) the customer may write through one instance while another
asks the survey, so the lock is also taken in Redis (REDIS_URL). Should Redis be down, the
exchange goes ahead unlocked: a rare race is better than a customer left waiting.
The Redis lock is held for a short while and renewed as long as the exchange runs, so the
lock of a gateway killed mid-exchange frees up within HOLD_SECONDS and the instance that
takes its turn over (awaiting_reply) does not wait minutes for it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.exceptions import LockError, RedisError

from handoff.live import configured_fanout, configured_redis_url

logger = logging.getLogger(__name__)
HOLD_SECONDS = 15  # a crashed holder's lock expires after this long
RENEW_SECONDS = 5  # a live holder renews it this often
WAIT_SECONDS = 90  # then the exchange goes ahead anyway (logged)
KEY_PREFIX = "shop:turn:"

_local: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary())


def _shared_client() -> aioredis.Redis | None:
    if configured_fanout() != "redis":
        return None
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        _clients[loop] = aioredis.from_url(configured_redis_url(), socket_timeout=5,
                                           socket_connect_timeout=2)
    return _clients[loop]


@asynccontextmanager
async def conversation_turn(conversation_id: str) -> AsyncIterator[None]:
    # Waiters of this instance queue on the local lock, so only one polls Redis.
    async with _local[conversation_id]:
        client = _shared_client()
        if client is None:
            yield
            return
        lock = client.lock(KEY_PREFIX + conversation_id, timeout=HOLD_SECONDS,
                           blocking_timeout=WAIT_SECONDS, sleep=0.05)
        try:
            held = await lock.acquire()
        except RedisError as error:
            logger.warning("Turn lock unavailable for %s (%s); going ahead", conversation_id,
                           error)
            held = False
        if not held:
            logger.warning("Turn lock for %s not acquired; going ahead", conversation_id)
        renewer = asyncio.get_running_loop().create_task(_renew(lock)) if held else None
        try:
            yield
        finally:
            if renewer:
                renewer.cancel()
            if held:
                try:
                    await lock.release()
                except (LockError, RedisError) as error:  # expired, or Redis went away
                    logger.warning("Turn lock for %s not released: %s", conversation_id, error)


async def _renew(lock: aioredis.client.Lock) -> None:
    """Keep the lock while the exchange runs (Rasa may take up to its timeout)."""
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            await lock.reacquire()
        except (LockError, RedisError) as error:  # lost it (expired, or Redis went away)
            logger.warning("Turn lock not renewed: %s", error)
            return
