"""The per-conversation turn lock across gateway instances (real Redis: TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio
import os

import pytest
import redis.asyncio as aioredis

from handoff.conversations.turn_lock import KEY_PREFIX, conversation_turn
from store.settings import get_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL")
if not REDIS_URL:
    if os.environ.get("SHOP_REQUIRE_BROWSER"):  # the test command starts Redis: never skip
        raise RuntimeError("TEST_REDIS_URL is not set (scripts/test starts Redis)")
    pytest.skip("TEST_REDIS_URL is not set", allow_module_level=True)


@pytest.fixture
def several_instances(monkeypatch) -> None:
    monkeypatch.setenv("LIVE_FANOUT", "redis")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    get_settings.cache_clear()


async def test_a_turn_waits_while_another_instance_holds_the_conversation(several_instances):
    other_instance = aioredis.from_url(REDIS_URL)
    held = other_instance.lock(KEY_PREFIX + "c-1", timeout=10)
    assert await held.acquire()
    order: list[str] = []

    async def bot_turn() -> None:
        async with conversation_turn("c-1"):
            order.append("this instance")

    waiting = asyncio.create_task(bot_turn())
    await asyncio.sleep(0.5)
    order.append("other instance done")
    await held.release()
    await asyncio.wait_for(waiting, 5)
    await other_instance.close()
    assert order == ["other instance done", "this instance"]


async def test_turns_of_different_conversations_do_not_wait_for_each_other(several_instances):
    async with conversation_turn("c-2"):
        await asyncio.wait_for(_enter_and_leave("c-3"), 2)


async def test_without_redis_the_turn_goes_ahead(monkeypatch):
    monkeypatch.setenv("LIVE_FANOUT", "redis")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens
    get_settings.cache_clear()
    await asyncio.wait_for(_enter_and_leave("c-4"), 10)


async def _enter_and_leave(conversation_id: str) -> None:
    async with conversation_turn(conversation_id):
        pass


async def test_a_live_holder_keeps_the_lock_past_its_hold_time(several_instances, monkeypatch):
    from handoff.conversations import turn_lock

    monkeypatch.setattr(turn_lock, "HOLD_SECONDS", 1)
    monkeypatch.setattr(turn_lock, "RENEW_SECONDS", 0.3)
    other_instance = aioredis.from_url(REDIS_URL)
    try:
        async with conversation_turn("c-long"):
            await asyncio.sleep(2.5)  # a slow Rasa: longer than the hold time
            taken = await other_instance.lock(KEY_PREFIX + "c-long", timeout=5).acquire(
                blocking=False)
        assert not taken
    finally:
        await other_instance.close()

