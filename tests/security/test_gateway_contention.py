"""One agent cannot freeze the gateway: inbox writes contending on SQLite never stall the
event loop (sockets, /healthz) and never end in a 500.

The gateway runs for real (uvicorn in a thread, a SQLite file); agents and a customer talk
to it over HTTP and a WebSocket. Another connection holding SQLite's write lock plays the
long write of another process. Everything is judged by errors and by the order in which
things happened, never by how long they took.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from scripts.processes import free_port
from scripts.widget_client import Widget
from store import db, settings
from store.migrate import load_all_models, upgrade_to_head
from store.models import Handoff, HandoffStatus, Message, Sender
from tests.browser.servers import serve
from tests.handoff.conftest import Login, add_agent, add_handoff, stored
from tests.security.live import customer_handoff

pytestmark = pytest.mark.timeout(240)


@dataclass
class Gateway:
    url: str
    database: Path

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Holds SQLite's write lock from another connection, like another process writing."""
        connection = sqlite3.connect(self.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()


def start_gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  busy_seconds: float) -> Iterator[Gateway]:
    database = tmp_path / "shop.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: fail fast
    monkeypatch.setenv("SQLITE_BUSY_SECONDS", str(busy_seconds))
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    load_all_models()
    upgrade_to_head(db.get_engine())
    from handoff.app import create_app

    app = create_app(idle_sweeper=False)
    app.state.warm_up.ready = True  # no Rasa here; warm start: tests/production
    with serve(app, free_port()) as url:
        yield Gateway(url, database)
    db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture
def gateway(tmp_path, monkeypatch, surveys) -> Iterator[Gateway]:
    # A write waits for the lock far longer than any of these tests holds it.
    yield from start_gateway(tmp_path, monkeypatch, busy_seconds=120)


@pytest.fixture
def impatient_gateway(tmp_path, monkeypatch, surveys) -> Iterator[Gateway]:
    # A write gives up on the lock at once, so the retries and the 503 come quickly.
    yield from start_gateway(tmp_path, monkeypatch, busy_seconds=0.2)


@pytest.fixture
def surveys(monkeypatch) -> None:
    """The survey after a resolve is Rasa's business, not this test's."""
    from handoff.conversations import rasa_client

    async def resume_with_survey(conversation_id: str, trigger: str) -> None:
        return None

    monkeypatch.setattr(rasa_client, "resume_with_survey", resume_with_survey)


@contextmanager
def statements_seen(prefix: str, seen: list[str]) -> Iterator[None]:
    """Appends "writing" to `seen` whenever the gateway starts a statement with `prefix`."""
    def before(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.startswith(prefix):
            seen.append("writing")

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", before)


async def until(condition) -> None:  # noqa: ANN001
    """Waits for `condition()`; the test's timeout is the only bound."""
    while not condition():
        await asyncio.sleep(0.01)


def assert_no_server_error(response: httpx.Response) -> None:
    """5xx only as a 503 the client is told to retry."""
    if response.status_code >= 500:
        assert response.status_code == 503, response.text
        assert int(response.headers["Retry-After"]) > 0


async def test_agents_claiming_one_handoff_together_do_not_freeze_the_gateway(gateway):
    handoff_id = add_handoff("conv-1")
    agents = [add_agent(f"agent{n}") for n in range(6)]
    happened: list[Any] = []
    async with httpx.AsyncClient(base_url=gateway.url, timeout=None) as client:
        customer = await Widget.open(gateway.url)

        async def claim(agent: Login) -> None:
            response = await client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                                         headers=agent.headers)
            happened.append(("claim answered", response.status_code))

        with statements_seen("UPDATE handoffs", happened), gateway.write_lock():
            claims = [asyncio.create_task(claim(agent)) for agent in agents]
            await until(lambda: "writing" in happened)  # a claim waits for the lock
            for _ in range(3):
                assert (await client.get("/healthz")).status_code == 200
                happened.append("healthz answered")
            await customer.send_frame({"type": "ping"})
            await customer.next_frame("pong")
            happened.append("customer answered")
            happened.append("lock released")
        await asyncio.gather(*claims)
        await customer.close()

    start = happened.index("writing")
    released = happened.index("lock released")
    during = [entry for entry in happened[start:released] if entry != "writing"]
    assert during == ["healthz answered"] * 3 + ["customer answered"]
    answers = sorted(status for kind, status in
                     (entry for entry in happened if isinstance(entry, tuple)))
    assert answers == [200] + [409] * 5
    [handoff] = stored(Handoff, id=handoff_id)
    assert handoff.status == HandoffStatus.assigned


async def test_a_lock_that_outlasts_the_retries_is_a_503_with_retry_after(impatient_gateway):
    gateway = impatient_gateway
    handoff_id = add_handoff("conv-1")
    rina = add_agent("rina")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=None) as client:
        with gateway.write_lock():
            refused = [
                await client.post(f"/api/v1/handoffs/{handoff_id}/claim", headers=rina.headers),
                await client.post(f"/api/v1/handoffs/{handoff_id}/notes", headers=rina.headers,
                                  json={"text": "call back tomorrow"}),
                await client.post("/api/v1/agents/heartbeat", headers=rina.headers),
            ]
            assert (await client.get("/healthz")).status_code == 200
        for response in refused:
            assert response.status_code == 503, response.text
            assert int(response.headers["Retry-After"]) > 0
        assert stored(Handoff, id=handoff_id)[0].status == HandoffStatus.queued
        again = await client.post(f"/api/v1/handoffs/{handoff_id}/claim", headers=rina.headers)
        assert again.status_code == 200


async def test_a_briefly_locked_database_is_waited_out_not_refused(impatient_gateway, caplog):
    gateway = impatient_gateway
    handoff_id = add_handoff("conv-1")
    rina = add_agent("rina")
    caplog.set_level(logging.WARNING, logger="store.db")

    def retried() -> bool:
        return any("retrying" in record.getMessage() for record in caplog.records)

    async with httpx.AsyncClient(base_url=gateway.url, timeout=None) as client:
        with gateway.write_lock():
            claim = asyncio.create_task(client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                                                    headers=rina.headers))
            await until(lambda: retried() or claim.done())  # 1st attempt gave up
        response = await claim
    assert retried()
    assert response.status_code == 200
    assert stored(Handoff, id=handoff_id)[0].agent_id == rina.id


# --- many agents, a customer and /healthz at once ---------------------------------------------

@dataclass
class Record:
    """What happened, numbered in the order it happened (one counter for everything)."""

    clock: itertools.count = field(default_factory=itertools.count)
    entries: list[tuple[int, str, Any]] = field(default_factory=list)

    def add(self, kind: str, detail: Any = None) -> int:
        number = next(self.clock)
        self.entries.append((number, kind, detail))
        return number

    def numbers(self, kind: str) -> list[int]:
        return [number for number, entry_kind, _ in self.entries if entry_kind == kind]


async def test_concurrent_claims_replies_and_resolves_lose_nothing(gateway):
    agents = [add_agent(f"agent{n}") for n in range(6)]
    replies = [f"reply {n} from the agent" for n in range(1, 5)]
    from_customer = [f"customer line {n}" for n in range(1, 5)]
    record = Record()
    async with httpx.AsyncClient(base_url=gateway.url, timeout=None) as client:
        customer = await Widget.open(gateway.url)
        handoffs = [customer_handoff(customer.conversation_id, token=customer.token),
                    add_handoff("conv-2"), add_handoff("conv-3")]
        customer_done = asyncio.Event()
        writing = True

        async def call(method: str, path: str, agent: Login, **kwargs: Any) -> httpx.Response:
            """One request; a 503 is sent again after its Retry-After, as a client would."""
            while True:
                record.add("write sent")
                response = await client.request(method, path, headers=agent.headers, **kwargs)
                record.add("write answered", (path, response.status_code))
                assert_no_server_error(response)
                if response.status_code != 503:
                    return response
                await asyncio.sleep(int(response.headers["Retry-After"]))

        async def work(agent: Login) -> list[int]:
            """Claims every handoff; on the ones won: replies, notes, typing, resolve."""
            claims = await asyncio.gather(*[
                call("POST", f"/api/v1/handoffs/{h}/claim", agent) for h in handoffs])
            won = [h for h, response in zip(handoffs, claims, strict=True)
                   if response.status_code == 200]
            assert all(r.status_code in (200, 409) for r in claims)
            for handoff_id in handoffs:
                if handoff_id not in won:  # replying to someone else's handoff is refused
                    refused = await call("POST", f"/api/v1/handoffs/{handoff_id}/messages",
                                         agent, json={"text": "not mine"})
                    assert refused.status_code == 409
            for handoff_id in won:
                for text in replies:
                    await call("POST", f"/api/v1/handoffs/{handoff_id}/typing", agent)
                    sent = await call("POST", f"/api/v1/handoffs/{handoff_id}/messages", agent,
                                      json={"text": text})
                    assert sent.status_code == 201
                    await call("POST", f"/api/v1/handoffs/{handoff_id}/notes", agent,
                               json={"text": f"note after {text}"})
                if handoff_id == handoffs[0]:
                    await customer_done.wait()  # the customer's last words reach the agent
                resolved = await call("POST", f"/api/v1/handoffs/{handoff_id}/resolve", agent)
                assert resolved.status_code == 200
            return won

        async def chat() -> None:
            for text in from_customer:
                await customer.say(text)
                await customer.next_frame("message", text=text)  # the echo: stored
                await customer.send_frame({"type": "ping"})
                await customer.next_frame("pong")
                record.add("customer answered")
            customer_done.set()

        async def probe() -> None:
            while writing:
                response = await client.get("/healthz")
                assert response.status_code == 200
                record.add("healthz answered")
                await asyncio.sleep(0.05)  # pacing only: leave the CPU to the writes

        prober = asyncio.create_task(probe())
        results = await asyncio.gather(chat(), *[work(agent) for agent in agents])
        writing = False
        await prober
        await received_everything(customer)
        await customer.close()

    winners = {handoff_id: agent for agent, won in zip(agents, results[1:], strict=True)
               for handoff_id in won}
    # Each handoff claimed by exactly one agent.
    assert sorted(h for won in results[1:] for h in won) == sorted(handoffs)
    first_write, last_write = min(record.numbers("write sent")), max(
        record.numbers("write answered"))
    while_writing = [n for n in record.numbers("healthz answered")
                     if first_write < n < last_write]
    assert while_writing, "/healthz did not answer while the writes were in flight"
    assert [n for n in record.numbers("customer answered") if first_write < n < last_write]

    for handoff_id, agent in winners.items():
        [handoff] = stored(Handoff, id=handoff_id)
        assert (handoff.status, handoff.agent_id) == (HandoffStatus.resolved, agent.id)
        messages = stored(Message, conversation_id=handoff.conversation_id)
        seqs = sorted(m.seq for m in messages)
        assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no doubles
        in_order = sorted(messages, key=lambda m: m.seq)
        assert [m.text for m in in_order if m.sender == Sender.agent] == replies
    widget_messages = [f for f in customer.frames if f.get("type") == "message"]
    seqs = [f["seq"] for f in widget_messages]
    assert seqs == sorted(set(seqs)) and seqs == list(range(seqs[0], seqs[-1] + 1))
    assert [f["text"] for f in widget_messages if f["sender"] == "agent"] == replies
    said = [m.text for m in stored(Message, conversation_id=customer.conversation_id,
                                   sender=Sender.customer)]
    assert said == from_customer


async def received_everything(customer: Widget) -> None:
    """Waits until the widget has been sent the last message stored in its conversation."""
    last = max(m.seq for m in stored(Message, conversation_id=customer.conversation_id))
    if not any(frame.get("seq") == last for frame in customer.frames):
        await customer.next_frame("message", seq=last)
