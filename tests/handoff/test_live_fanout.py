"""Live updates across gateway instances: two Hubs on one real redis-server.

The in-process backend is exercised by test_events.py and the chat tests; here it only shares
the QUEUE_LIMIT test with the Redis backend.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from fastapi.testclient import TestClient

from handoff import live
from handoff.live import INBOX, OUTBOX_LIMIT, QUEUE_LIMIT, Hub, conversation_topic
from scripts.processes import free_port
from store.settings import get_settings

REDIS_SERVER = "/usr/bin/redis-server"

if not Path(REDIS_SERVER).exists():
    if os.environ.get("SHOP_REQUIRE_BROWSER"):  # the test command installs it: never skip there
        raise RuntimeError(f"{REDIS_SERVER} is missing (apt-get install -y redis-server)")
    pytest.skip(f"{REDIS_SERVER} is missing (apt-get install -y redis-server)",
                allow_module_level=True)


class RedisServer:
    """A redis-server on 127.0.0.1 without persistence, which a test may stop and restart."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.directory / "redis.log"
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--logfile", str(log)])
        deadline = time.monotonic() + 10
        while not self._answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def hubs(redis_server) -> AsyncIterator[tuple[Hub, Hub]]:
    """Two gateway instances sharing the Redis server."""
    a, b = Hub("redis", redis_server.url), Hub("redis", redis_server.url)
    await a.start()
    await b.start()
    yield a, b
    await a.stop()
    await b.stop()


async def receive(queue: asyncio.Queue, count: int, timeout: float = 10) -> list[dict]:
    return [await asyncio.wait_for(queue.get(), timeout) for _ in range(count)]


async def assert_nothing_more(*queues: asyncio.Queue) -> None:
    await asyncio.sleep(0.3)  # time enough for a duplicate to show up
    assert all(queue.empty() for queue in queues)


async def test_events_reach_every_instance_once_and_in_order(hubs):
    a, b = hubs
    sent = [{"event": "message", "data": {"n": n}} for n in range(200)]
    async with a.subscribe(INBOX) as on_a, b.subscribe(INBOX) as on_b, \
            b.subscribe(INBOX) as on_b_too:
        for event in sent:
            a.publish(INBOX, event)
        for queue in (on_a, on_b, on_b_too):
            assert await receive(queue, len(sent)) == sent
        await assert_nothing_more(on_a, on_b, on_b_too)


async def test_each_instance_keeps_the_order_of_its_own_events(hubs):
    a, b = hubs
    topic = conversation_topic("c-order")
    async with a.subscribe(topic) as on_a, b.subscribe(topic) as on_b:
        for n in range(100):
            a.publish(topic, {"from": "a", "n": n})
            b.publish(topic, {"from": "b", "n": n})
        for queue in (on_a, on_b):
            got = await receive(queue, 200)
            for origin in ("a", "b"):
                assert [e["n"] for e in got if e["from"] == origin] == list(range(100))
        await assert_nothing_more(on_a, on_b)


async def test_topics_are_isolated_and_events_cross_as_json(hubs):
    a, b = hubs
    at = datetime(2026, 11, 3, 4, 5, tzinfo=timezone.utc)
    async with b.subscribe(conversation_topic("c1")) as c1, b.subscribe(INBOX) as inbox, \
            a.subscribe(conversation_topic("c2")) as c2:
        a.publish(conversation_topic("c2"), {"type": "message", "seq": 1})
        a.publish(conversation_topic("nobody-follows"), {"type": "message", "seq": 1})
        a.publish(INBOX, {"event": "typing", "data": {"conversation_id": "c1"}})
        a.publish(conversation_topic("c1"), {"type": "state", "at": at})
        assert await receive(c1, 1) == [{"type": "state", "at": str(at)}]
        assert await receive(c2, 1) == [{"type": "message", "seq": 1}]
        assert await receive(inbox, 1) == [{"event": "typing",
                                            "data": {"conversation_id": "c1"}}]
        await assert_nothing_more(c1, c2, inbox)


@pytest.mark.parametrize("fanout", ["memory", "redis"])
async def test_a_stalled_subscriber_loses_the_oldest_events(fanout, redis_server):
    hub = Hub(fanout, redis_server.url)
    await hub.start()
    try:
        async with hub.subscribe("stalled") as stalled, hub.subscribe("done") as done:
            for n in range(QUEUE_LIMIT + 5):
                hub.publish("stalled", {"n": n})
            hub.publish("done", {})
            await receive(done, 1)  # one instance's events stay in order, across topics too
            assert [stalled.get_nowait()["n"] for _ in range(stalled.qsize())] == list(
                range(5, QUEUE_LIMIT + 5))
    finally:
        await hub.stop()


async def test_instances_reconnect_after_a_redis_restart(hubs, redis_server):
    a, b = hubs
    async with a.subscribe(INBOX) as on_a, b.subscribe(INBOX) as on_b:
        a.publish(INBOX, {"n": "before"})
        for queue in (on_a, on_b):
            assert await receive(queue, 1) == [{"n": "before"}]

        redis_server.stop()
        started = time.monotonic()
        for n in range(100):
            a.publish(INBOX, {"n": f"down {n}"})
        assert time.monotonic() - started < 1
        redis_server.start()

        await until_both_hear(a, on_a, on_b)
        sent = [{"n": n} for n in range(50)]
        for event in sent:
            a.publish(INBOX, event)
        for queue in (on_a, on_b):
            got = []
            while not got or got[-1] != sent[-1]:
                got += await receive(queue, 1)
            # Before the batch only probes and events queued while Redis was down.
            assert [e for e in got if isinstance(e["n"], int)] == sent
        await assert_nothing_more(on_a, on_b)


async def until_both_hear(publisher: Hub, *queues: asyncio.Queue, timeout: float = 20) -> None:
    """Probes until every queue got one: then all subscriptions and the publisher are back."""
    deadline = time.monotonic() + timeout
    heard = [False] * len(queues)
    while not all(heard):
        assert time.monotonic() < deadline, "the hubs did not reconnect to Redis"
        publisher.publish(INBOX, {"n": "probe"})
        await asyncio.sleep(0.2)
        for i, queue in enumerate(queues):
            while not queue.empty():
                if queue.get_nowait() == {"n": "probe"}:
                    heard[i] = True


async def test_publishing_while_redis_is_unreachable_neither_blocks_nor_raises(
    monkeypatch, caplog
):
    monkeypatch.setattr(live, "START_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(live, "FLUSH_SECONDS", 0.2)
    hub = Hub("redis", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    await hub.start()
    assert hub.fanout == "redis"
    async with hub.subscribe(INBOX) as queue:
        started = time.monotonic()
        for n in range(OUTBOX_LIMIT + 100):
            hub.publish(INBOX, {"n": n})
        assert time.monotonic() - started < 2
        await asyncio.sleep(0.3)
        assert queue.empty()  # never delivered locally behind Redis' back
    assert "Redis not reachable yet" in caplog.text
    assert "dropping oldest events" in caplog.text
    started = time.monotonic()
    await hub.stop()
    assert time.monotonic() - started < 2
    assert hub.fanout == "memory"


async def test_the_environment_chooses_the_backend(monkeypatch, redis_server):
    monkeypatch.delenv("LIVE_FANOUT", raising=False)
    get_settings.cache_clear()
    memory = Hub()
    await memory.start()
    assert memory.fanout == "memory"

    monkeypatch.setenv("LIVE_FANOUT", "redis")
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    get_settings.cache_clear()
    watcher = aioredis.from_url(redis_server.url, decode_responses=True)
    pubsub = watcher.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("shop:live:inbox")  # the channel other tools can listen to
    hub = Hub()
    await hub.start()
    try:
        assert hub.fanout == "redis"
        hub.publish(INBOX, {"event": "typing"})
        message = None
        while message is None:
            message = await asyncio.wait_for(pubsub.get_message(timeout=1), 10)
        assert json.loads(message["data"]) == {"event": "typing"}
    finally:
        await hub.stop()
        await pubsub.close()
        await watcher.close()

    monkeypatch.setenv("LIVE_FANOUT", "carrier-pigeon")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="LIVE_FANOUT"):
        await Hub().start()


def test_the_service_starts_and_stops_the_fanout(shop_db, redis_server, monkeypatch):
    from handoff.app import create_app

    monkeypatch.setenv("LIVE_FANOUT", "redis")
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    get_settings.cache_clear()
    watcher = redis.Redis.from_url(redis_server.url)
    with TestClient(create_app(idle_sweeper=False)):
        assert live.hub.fanout == "redis"
        assert watcher.execute_command("PUBSUB", "NUMPAT") == 1
    assert live.hub.fanout == "memory"
    deadline = time.monotonic() + 5
    while watcher.execute_command("PUBSUB", "NUMPAT") != 0:
        assert time.monotonic() < deadline, "the subscription outlived the service"
        time.sleep(0.05)
    watcher.close()


async def test_a_silent_redis_is_noticed_by_ping(hubs, redis_server, monkeypatch, caplog):
    """A frozen server (or a dead peer behind a firewall) sends no reset: PING finds out."""
    monkeypatch.setattr(live, "PING_SECONDS", 0.1)
    a, b = hubs
    async with a.subscribe(INBOX) as on_a, b.subscribe(INBOX) as on_b:
        await asyncio.sleep(0.5)  # idle: pinged, answered, still subscribed
        a.publish(INBOX, {"n": "awake"})
        for queue in (on_a, on_b):
            assert await receive(queue, 1) == [{"n": "awake"}]
        assert "subscription lost" not in caplog.text

        redis_server.process.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(0.6)
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        assert "no answer to PING" in caplog.text
        await until_both_hear(a, on_a, on_b)
