"""Load generator with message accounting: N scripted customers at once, then the books.

Each of N concurrent customers is a `ChatClient` (benchmarks/load_client.py) on /ws/chat
running one fixed script, picked round-robin from eight: FAQ questions, an order status
lookup with verification, an escalation to a person, and a goodbye that ends with the CES
survey, each in informal Indonesian and in English. A simulated agent (one task, the inbox
HTTP API, an account created in the database) claims every handoff of the run, replies
once, resolves when the customer answered, and the customer then answers the survey.
Each customer waits for the end of the bot's turn before its next message (the rule is in
load_client.py). A global deadline cancels whatever is still running; the report counts it.

Measured: round trip per customer message (send → first bot/agent/system message after
its echo), p50/p95/p99; acknowledged messages and completed conversations per second;
error frames by kind, timeouts, reconnects, duplicate and missing seqs on the sockets.

Accounting, from the database afterwards: every message a client sent is stored exactly
once (rows with its client_message_id), answered (a bot/agent/system message follows it
before the next customer message), and no customer message is stored that no client sent.
Rasa: each message the bot handled (not while a person owned the conversation) must be one
`user` event in its tracker, found by message_id `<conversation_id>-<seq>`.

    .venv/bin/python -m benchmarks.load --conversations 10 50 200 [--json out.json]
        [--gateway-url URL --database-url URL [--rasa-url URL]]
        [--layout production [--instances 2]]  (needs DATABASE_URL, TRACKER_STORE_URL, REDIS_URL)
        [--duration-limit 300] [--turn-timeout 120]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import re
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from benchmarks.load_client import ChatClient, Frame, SentMessage
from handoff.conversations.rasa_client import RasaToken
from handoff.ops.metrics import percentile

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TURN_TIMEOUT = 120.0  # per bot turn or wait for the agent; under load Rasa queues messages
AGENT_POLL_SECONDS = 0.5
SETTLE_SECONDS = 2.0  # after the run, before reading the database: late replies land
AGENT_PASSWORD = "load-agent-" + secrets.token_hex(8)


# --- scripted customers ----------------------------------------------------------------------

class OffScript(Exception):
    """The bot answered something the script did not expect (e.g. an NLU miss)."""


class Customer:
    """A ChatClient driven turn by turn: each step waits for the bot's whole answer."""

    def __init__(self, client: ChatClient, timeout: float) -> None:
        self.client, self.timeout = client, timeout
        self.mark = 0  # frames from here on belong to the current step

    async def say(self, text: str) -> None:
        self.mark = len(self.client.frames)
        await self.client.turn(await self.client.say(text), self.timeout)

    async def click(self, payload: str) -> None:
        """Click the button with this payload among the bot's latest replies."""
        for frame in reversed(self.client.frames):
            if frame.get("type") == "message" and frame.get("sender") == "customer":
                break
            button = next((b for b in frame.get("buttons") or [] if b["payload"] == payload),
                          None)
            if button:
                self.mark = len(self.client.frames)
                sent = await self.client.click(button["title"], payload)
                await self.client.turn(sent, self.timeout)
                return
        raise OffScript(f"no {payload} button after {self._last_customer_text()!r}")

    async def expect(self, what: str, predicate: Callable[[Frame], bool]) -> None:
        """Wait for a frame of the current step (an agent's reply, the survey)."""
        try:
            await self.client.wait_for(predicate, self.timeout, since=self.mark)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"waiting for {what}") from None

    def _last_customer_text(self) -> str:
        return next((m.frame.get("text") or m.frame.get("title") or ""
                     for m in reversed(self.client.sent.values())), "")


def offers(payload_prefix: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == "message" and any(
        b["payload"].startswith(payload_prefix) for b in f.get("buttons") or [])


def from_agent(frame: Frame) -> bool:
    return frame.get("type") == "message" and frame.get("sender") == "agent"


async def answer_survey(c: Customer, score: int, comment: str | None) -> None:
    """Rate the effort with the button, then comment or click 'nothing to add' (/deny)."""
    await c.expect("the survey question", offers("/rate_effort"))
    await c.click(f'/rate_effort{{"ces_score":"{score}"}}')
    if comment:
        await c.say(comment)
    else:
        await c.click("/deny")


async def faq_id(c: Customer) -> None:
    await c.say("kak pengiriman ke Surabaya berapa lama ya?")
    await c.say("ada COD gak min?")


async def faq_en(c: Customer) -> None:
    await c.say("How much does shipping cost to Medan?")
    await c.say("can I return an item I bought last week?")


async def order_id(c: Customer) -> None:
    await c.say("kak paket ORD-583920 udah sampai mana ya?")
    await c.say("0811 2233 4455")
    await c.say("oke makasih kak")


async def order_en(c: Customer) -> None:
    await c.say("Hi, where is my order ORD-240518?")
    await c.say("andi.pratama@example.com")
    await c.say("great, thanks!")


async def escalation_id(c: Customer) -> None:
    await c.say("min barang saya dateng rusak, kecewa bgt, mau komplain")
    await c.expect("the agent's reply", from_agent)
    await c.say("oke makasih kak")
    await answer_survey(c, 5, None)


async def escalation_en(c: Customer) -> None:
    await c.say("I want to talk to a human please")
    await c.expect("the agent's reply", from_agent)
    await c.say("ok, thank you")
    await answer_survey(c, 6, "quick help, thanks")


async def goodbye_id(c: Customer) -> None:
    await c.say("halo kak")
    await c.say("jam buka toko sampai jam berapa ya kak?")
    await c.say("udah itu aja kak")  # any ending after an answer asks the survey
    await answer_survey(c, 7, None)


async def goodbye_en(c: Customer) -> None:
    await c.say("hi there")
    await c.say("What payment methods do you accept?")
    await c.say("no that's all, bye")
    await answer_survey(c, 6, "quick and clear answers")


Script = Callable[[Customer], Awaitable[None]]
# Alternating languages, so any N of at least 2 is about half Indonesian.
SCRIPTS: tuple[tuple[str, str, Script], ...] = (
    ("faq_id", "id-ID", faq_id), ("faq_en", "en-US", faq_en),
    ("order_id", "id-ID", order_id), ("order_en", "en-US", order_en),
    ("escalation_id", "id-ID", escalation_id), ("escalation_en", "en-US", escalation_en),
    ("goodbye_id", "id-ID", goodbye_id), ("goodbye_en", "en-US", goodbye_en),
)


@dataclass
class Run:
    """One customer's conversation: its script and how it ended."""

    script: str
    client: ChatClient
    outcome: str = "aborted"  # completed | off_script | timed_out | failed | aborted
    detail: str = ""


async def converse(run: Run, script: Script, timeout: float) -> None:
    try:
        await run.client.start()
        await script(Customer(run.client, timeout))
        run.outcome = "completed"
    except OffScript as error:
        run.outcome, run.detail = "off_script", str(error)
    except asyncio.TimeoutError as error:
        run.outcome, run.detail = "timed_out", str(error) or "waiting for the bot"
    except Exception as error:  # a broken conversation is a figure, not a crash
        run.outcome, run.detail = "failed", repr(error)


# --- the simulated agent ---------------------------------------------------------------------

AGENT_REPLY = {"id": "Halo Kak, saya Rina dari tim CS. Sudah saya cek dan saya bantu proses ya.",
               "en": "Hi, this is Rina from customer service. I've checked it and I'm on it."}


@dataclass
class SimulatedAgent:
    """Claims each handoff of this run's conversations, replies once, resolves after the
    customer answered. Polls the queue (what the inbox shows), so no event can be missed."""

    gateway_url: str
    username: str
    conversations: Callable[[], set[str]]
    counts: Counter[str] = field(default_factory=Counter)
    http: httpx.AsyncClient | None = None
    _replied: dict[int, int] = field(default_factory=dict)  # handoff id → our reply's seq

    async def log_in(self) -> None:
        """Before the customers come, as on a real shift (a login during the burst stalled
        the SQLite gateway on 2026-11-23; see benchmarks/README.md)."""
        self.http = httpx.AsyncClient(base_url=self.gateway_url, timeout=30)
        login = await self.http.post("/api/v1/auth/login",
                                     json={"username": self.username, "password": AGENT_PASSWORD})
        if login.status_code != 200:
            await self.http.aclose()
            login.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {login.json()['token']}"

    async def run(self) -> None:
        """Serve the queue until cancelled; a failed request is counted and tried again."""
        try:
            while True:
                try:
                    await self._serve_queue()
                except (httpx.HTTPError, ValueError, KeyError) as error:
                    self.counts[f"error {type(error).__name__}"] += 1
                await asyncio.sleep(AGENT_POLL_SECONDS)
        finally:
            await self.http.aclose()

    async def _serve_queue(self) -> None:
        queue = await self.http.get("/api/v1/handoffs", params={"status": "open", "limit": 500})
        queue.raise_for_status()
        mine = self.conversations()
        for handoff in queue.json()["items"]:
            if handoff["conversation_id"] not in mine:
                continue
            path = f"/api/v1/handoffs/{handoff['id']}"
            if handoff["status"] == "queued":
                if await self._post(path + "/claim", "claimed"):
                    text = AGENT_REPLY.get(handoff["language"] or "id", AGENT_REPLY["id"])
                    reply = await self._post(path + "/messages", "replied", {"text": text})
                    if reply:
                        self._replied[handoff["id"]] = reply["seq"]
            elif (handoff["id"] in self._replied
                  and (handoff["last_message"] or {}).get("sender") != "agent"
                  and await self._customer_wrote(handoff["conversation_id"],
                                                 self._replied[handoff["id"]])):
                if await self._post(path + "/resolve", "resolved"):
                    del self._replied[handoff["id"]]

    async def _customer_wrote(self, conversation_id: str, after_seq: int) -> bool:
        """Did the customer answer our reply? Not only the last message: a late bot reply
        can follow the customer's (see the README on bot messages after a person joined)."""
        detail = await self.http.get(f"/api/v1/conversations/{conversation_id}")
        detail.raise_for_status()
        return any(m["sender"] == "customer" and m["seq"] > after_seq
                   for m in detail.json()["messages"])

    async def _post(self, path: str, done: str,
                    body: dict[str, str] | None = None) -> dict[str, Any] | None:
        """The answer's JSON when it succeeded, else None (counted either way)."""
        response = await self.http.post(path, json=body)
        ok = response.status_code in (200, 201)
        self.counts[done if ok else f"{done} refused ({response.status_code})"] += 1
        return response.json() if ok else None


def create_agent_account(database_url: str) -> str:
    """A fresh agent account for this run, straight into the database; returns its username."""
    from handoff.auth.accounts import create_agent
    from store.db import make_engine, session_scope
    from store.models import Role

    username = f"load-agent-{secrets.token_hex(4)}"
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            create_agent(session, username=username, display_name="Rina", role=Role.agent,
                         password=AGENT_PASSWORD)
    finally:
        engine.dispose()
    return username


# --- accounting -----------------------------------------------------------------------------

@dataclass
class Accounting:
    sent: int = 0
    acknowledged: int = 0
    stored_once: int = 0
    duplicates: int = 0  # extra stored copies of a sent message
    lost: int = 0  # sent, never stored
    unanswered: int = 0  # stored customer messages no bot/agent/system message followed
    unexpected: int = 0  # stored customer messages no client sent
    bot_routed: int = 0  # stored customer messages the bot, not a person, was to answer
    # Bot messages stored while an agent held the conversation: out of order for the customer
    # (not part of the brief's accounting, so not in accounting_ok; see README).
    bot_after_agent_joined: int = 0
    rasa_check: str = "unavailable: not run"  # ok | failed | unavailable: why
    rasa_processed_once: int | None = None
    rasa_not_processed: int | None = None
    rasa_processed_repeatedly: int | None = None
    problems: list[str] = field(default_factory=list)  # the first few, to look into

    def note(self, problem: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(problem)


@dataclass(frozen=True)
class StoredMessage:
    conversation_id: str
    seq: int
    sender: str
    client_message_id: str | None
    created_at: datetime


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class Handoff:
    """A person owned the conversation from `queued` until `resolved` (far future while
    open), and held it from `assigned` on."""

    queued: datetime
    assigned: datetime | None
    resolved: datetime

    def owned_at(self, moment: datetime) -> bool:
        return self.queued <= moment < self.resolved

    def held_at(self, moment: datetime) -> bool:
        return self.assigned is not None and self.assigned <= moment < self.resolved


def read_conversations(database_url: str, conversation_ids: list[str]
                       ) -> tuple[list[StoredMessage], dict[str, list[Handoff]]]:
    """Every message of these conversations by (conversation, seq), and their handoffs."""
    from store.db import make_engine, session_scope
    from store.models import Handoff as HandoffRow
    from store.models import Message, as_utc

    far_future = datetime.max.replace(tzinfo=timezone.utc)
    messages: list[StoredMessage] = []
    handoffs: dict[str, list[Handoff]] = defaultdict(list)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            for ids in chunks(conversation_ids):
                rows = session.execute(
                    select(Message.conversation_id, Message.seq, Message.sender,
                           Message.client_message_id, Message.created_at)
                    .where(Message.conversation_id.in_(ids))
                    .order_by(Message.conversation_id, Message.seq))
                messages += [StoredMessage(r[0], r[1], r[2].value, r[3], as_utc(r[4]))
                             for r in rows]
                for row in session.execute(select(HandoffRow).where(
                        HandoffRow.conversation_id.in_(ids))).scalars():
                    handoffs[row.conversation_id].append(Handoff(
                        as_utc(row.created_at), row.assigned_at and as_utc(row.assigned_at),
                        as_utc(row.resolved_at) if row.resolved_at else far_future))
    finally:
        engine.dispose()
    return messages, handoffs


def account(clients: list[ChatClient], messages: list[StoredMessage],
            handoffs: dict[str, list[Handoff]]) -> tuple[Accounting, list[StoredMessage]]:
    """The books of the database against what the clients sent; also returns the stored
    customer messages the bot was to handle (for the Rasa check)."""
    books = Accounting()
    sent: dict[str, SentMessage] = {cid: m for c in clients for cid, m in c.sent.items()}
    copies = Counter(m.client_message_id for m in messages if m.sender == "customer")
    books.sent = len(sent)
    books.acknowledged = sum(m.acknowledged for m in sent.values())
    for client_id, message in sent.items():
        stored = copies[client_id]
        books.stored_once += stored == 1
        books.duplicates += max(0, stored - 1)
        if stored == 0:
            books.lost += 1
            books.note(f"lost: {message.frame.get('text') or message.frame.get('title')!r} "
                       f"in {message.conversation_id} (sent {message.sends}x)")
        elif stored > 1:
            books.note(f"stored {stored}x: {client_id} in {message.conversation_id}")

    by_conversation: dict[str, list[StoredMessage]] = defaultdict(list)
    for message in messages:
        by_conversation[message.conversation_id].append(message)
    bot_routed: list[StoredMessage] = []
    for conversation_id, transcript in by_conversation.items():
        owners = handoffs.get(conversation_id, [])
        for index, message in enumerate(transcript):
            if message.sender == "bot" and any(h.held_at(message.created_at) for h in owners):
                books.bot_after_agent_joined += 1
                books.note(f"bot spoke after the agent joined: seq {message.seq} "
                           f"in {conversation_id}")
            if message.sender != "customer":
                continue
            if message.client_message_id not in sent:
                books.unexpected += 1
                books.note(f"not sent by any client: seq {message.seq} in {conversation_id}")
            following = transcript[index + 1] if index + 1 < len(transcript) else None
            if following is None or following.sender == "customer":
                books.unanswered += 1
                books.note(f"unanswered: seq {message.seq} in {conversation_id}")
            if not any(h.owned_at(message.created_at) for h in owners):
                bot_routed.append(message)
    books.bot_routed = len(bot_routed)
    return books, bot_routed


async def check_rasa(books: Accounting, rasa_url: str | None, bot_routed: list[StoredMessage]
                     ) -> None:
    """Each bot-routed message is exactly one `user` event, by message_id, in its tracker."""
    if not rasa_url:
        books.rasa_check = "unavailable: no Rasa URL"
        return
    conversation_ids = sorted({m.conversation_id for m in bot_routed})
    seen: Counter[str] = Counter()
    limit = asyncio.Semaphore(4)  # Rasa shares the cores with everything else

    async def tracker(http: httpx.AsyncClient, conversation_id: str) -> None:
        async with limit:
            response = await http.get(f"/conversations/{conversation_id}/tracker",
                                      params={"include_events": "ALL"})
        response.raise_for_status()
        seen.update(e.get("message_id") for e in response.json().get("events", [])
                    if e.get("event") == "user")

    try:
        async with httpx.AsyncClient(base_url=rasa_url, timeout=60, auth=RasaToken()) as http:
            await asyncio.gather(*(tracker(http, c) for c in conversation_ids))
    except httpx.HTTPError as error:
        books.rasa_check = f"unavailable: {error!r}"
        return
    ours = re.compile(r"^[0-9a-f]{32}-\d+$")
    if not any(ours.match(message_id or "") for message_id in seen):
        books.rasa_check = "unavailable: no user event carries a <conversation>-<seq> message_id"
        return
    counts = [seen[f"{m.conversation_id}-{m.seq}"] for m in bot_routed]
    books.rasa_processed_once = counts.count(1)
    books.rasa_not_processed = counts.count(0)
    books.rasa_processed_repeatedly = sum(n > 1 for n in counts)
    for message, count in zip(bot_routed, counts, strict=True):
        if count != 1:
            books.note(f"rasa saw {message.conversation_id}-{message.seq} {count}x")
    books.rasa_check = "ok" if books.rasa_processed_once == len(bot_routed) else "failed"


# --- the run -----------------------------------------------------------------------------------

@dataclass
class LoadReport:
    conversations: int
    outcomes: dict[str, int]  # completed, off_script, timed_out, failed, aborted
    duration_s: float
    messages_per_s: float  # acknowledged customer messages per second
    conversations_per_s: float  # completed conversations per second
    round_trip_ms: dict[str, float]  # n, p50, p95, p99: every answered message
    bot_round_trip_ms: dict[str, float]  # only messages sent while the bot served
    errors: dict[str, int]  # error frames by kind, timeouts, failed connects, drops
    reconnects: int
    live_duplicates: int  # message frames received twice on a socket
    missing_seqs: int  # holes in the seq numbers a socket received
    agent: dict[str, int]  # claimed, replied, resolved, refusals
    accounting: Accounting
    failed_runs: list[str]  # script: outcome: detail, the first few

    @property
    def accounting_ok(self) -> bool:
        """Every sent message stored once and answered, nothing extra, Rasa once each."""
        books = self.accounting
        return (books.stored_once == books.sent and books.unanswered == 0
                and books.unexpected == 0 and not books.rasa_check.startswith("failed"))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "accounting_ok": self.accounting_ok}


def require_loopback(**urls: str | None) -> None:
    for name, url in urls.items():
        if not url:
            continue
        host = urlsplit(url).hostname
        if host is not None and host not in LOOPBACK:  # sqlite and unix sockets have no host
            raise ValueError(f"{name} must be on this machine (127.0.0.1/localhost): {url}")


def latency_summary(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), **{f"p{q}": round(percentile(seconds, q / 100) * 1000, 1)
                                  for q in (50, 95, 99)}}


async def run_load(gateway_url: str, database_url: str, rasa_url: str | None,
                   conversations: int, deadline_s: float,
                   turn_timeout: float = TURN_TIMEOUT) -> LoadReport:
    """Run `conversations` scripted customers at once (at most `deadline_s` seconds), then
    account for every message in the database and in Rasa's trackers."""
    require_loopback(gateway_url=gateway_url, database_url=database_url, rasa_url=rasa_url)
    picked = [SCRIPTS[n % len(SCRIPTS)] for n in range(conversations)]
    runs = [Run(name, ChatClient(gateway_url, locale=locale)) for name, locale, _ in picked]
    clients = [run.client for run in runs]
    agent = SimulatedAgent(gateway_url, create_agent_account(database_url),
                           lambda: {cid for c in clients for cid in c.conversation_ids})
    await agent.log_in()
    agent_task = asyncio.create_task(agent.run())
    started = time.perf_counter()
    tasks = [asyncio.create_task(converse(run, script, turn_timeout))
             for run, (_name, _locale, script) in zip(runs, picked, strict=True)]
    _done, pending = await asyncio.wait(tasks, timeout=deadline_s)
    for task in pending:
        task.cancel()  # the deadline: these stay "aborted"
    await asyncio.gather(*tasks, return_exceptions=True)
    duration = time.perf_counter() - started
    agent_task.cancel()
    (stopped,) = await asyncio.gather(agent_task, return_exceptions=True)
    if not isinstance(stopped, (type(None), asyncio.CancelledError)):
        agent.counts[f"crashed: {stopped!r}"] += 1
    await asyncio.gather(*(c.close() for c in clients))
    await asyncio.sleep(SETTLE_SECONDS)

    messages, handoffs = read_conversations(
        database_url, sorted({cid for c in clients for cid in c.conversation_ids}))
    books, bot_routed = account(clients, messages, handoffs)
    await check_rasa(books, rasa_url, bot_routed)

    sent = [m for c in clients for m in c.sent.values()]
    errors: Counter[str] = sum((c.errors for c in clients), Counter())
    outcomes = Counter(run.outcome for run in runs)
    return LoadReport(
        conversations=conversations, outcomes=dict(outcomes), duration_s=round(duration, 2),
        messages_per_s=round(books.acknowledged / duration, 2),
        conversations_per_s=round(outcomes["completed"] / duration, 3),
        round_trip_ms=latency_summary([m.round_trip for m in sent if m.round_trip is not None]),
        bot_round_trip_ms=latency_summary([m.round_trip for m in sent
                                           if m.round_trip is not None
                                           and m.state_at_send == "bot"]),
        errors=dict(errors), reconnects=sum(c.reconnects for c in clients),
        live_duplicates=sum(c.duplicates for c in clients),
        missing_seqs=sum(len(c.missing_seqs()) for c in clients),
        agent=dict(agent.counts), accounting=books,
        failed_runs=[f"{r.script}: {r.outcome}: {r.detail}" for r in runs
                     if r.outcome != "completed"][:20],
    )


# --- output and command line ---------------------------------------------------------------

def print_report(report: LoadReport) -> None:
    books, rt, bot = report.accounting, report.round_trip_ms, report.bot_round_trip_ms
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(report.outcomes.items()))
    print(f"\n== N={report.conversations}: {report.duration_s:.1f} s, {outcomes}")
    print(f"throughput: {report.messages_per_s:.2f} acknowledged messages/s, "
          f"{report.conversations_per_s:.3f} completed conversations/s")
    print(f"round trip ms (n={rt['n']}): p50 {rt.get('p50', '-')}  p95 {rt.get('p95', '-')}  "
          f"p99 {rt.get('p99', '-')};  bot only (n={bot['n']}): p50 {bot.get('p50', '-')}  "
          f"p95 {bot.get('p95', '-')}  p99 {bot.get('p99', '-')}")
    errors = ", ".join(f"{k} {n}" for k, n in sorted(report.errors.items())) or "none"
    print(f"errors: {errors}; reconnects {report.reconnects}; live duplicate seqs "
          f"{report.live_duplicates}; missing seqs {report.missing_seqs}")
    print("agent: " + (", ".join(f"{k} {n}" for k, n in sorted(report.agent.items())) or "idle"))
    rasa = (f"{books.rasa_processed_once}/{books.bot_routed}"
            if books.rasa_processed_once is not None else "-")
    print(f"{'sent':>6} {'acked':>6} {'stored once':>11} {'duplicates':>10} {'lost':>5} "
          f"{'unanswered':>10} {'unexpected':>10} {'rasa-processed-once':>19}")
    print(f"{books.sent:>6} {books.acknowledged:>6} {books.stored_once:>11} "
          f"{books.duplicates:>10} {books.lost:>5} {books.unanswered:>10} "
          f"{books.unexpected:>10} {rasa:>19}")
    verdict = "OK" if report.accounting_ok else "FAILED"
    print(f"rasa check: {books.rasa_check}; bot messages after an agent joined: "
          f"{books.bot_after_agent_joined}; accounting {verdict}")
    for line in report.failed_runs + books.problems:
        print(f"  - {line}")
    sys.stdout.flush()


STORE_VARIABLES = ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL")


@contextlib.contextmanager
def production_urls(instances: int) -> Iterator[tuple[str, str, str | None]]:
    """nginx in front of `instances` of each process (scripts/production.py), on the
    PostgreSQL and Redis named by DATABASE_URL, TRACKER_STORE_URL and REDIS_URL."""
    import os

    from scripts.production import production_stack
    from scripts.stack import prepare_database
    from scripts.train import ensure_model

    missing = [name for name in STORE_VARIABLES if not os.environ.get(name)]
    if missing:
        raise SystemExit(f"--layout production needs running stores; set {missing} "
                         "(PostgreSQL and Redis, as scripts/start-production starts them)")
    shop, tracker, redis = (os.environ[name] for name in STORE_VARIABLES)
    require_loopback(database_url=shop, tracker_url=tracker, redis_url=redis)
    prepare_database()  # the layout expects a migrated, seeded shop database
    with tempfile.TemporaryDirectory(prefix="shop-load-") as state_dir, \
            production_stack(instances, Path(state_dir), model=ensure_model(),
                             database_url=shop, tracker_url=tracker, redis_url=redis) as stack:
        yield stack.gateway_url, stack.env["DATABASE_URL"], stack.rasa_url


@contextlib.contextmanager
def stack_urls(args: argparse.Namespace) -> Iterator[tuple[str, str, str | None]]:
    """(gateway, database, Rasa) URLs: given, or of a stack started here for the run."""
    if args.gateway_url:
        yield args.gateway_url, args.database_url, args.rasa_url
        return
    from scripts.stack import lift_chat_limits

    lift_chat_limits()
    if args.layout == "production":
        with production_urls(args.instances) as urls:
            yield urls
    else:
        from benchmarks.stack_runner import running_stack

        with running_stack() as stack:
            yield stack.gateway_url, stack.env["DATABASE_URL"], stack.rasa_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, nargs="+", default=[10],
                        help="concurrent customers, one run per number")
    parser.add_argument("--gateway-url", help="use this stack (loopback only) instead of "
                                              "starting one; needs --database-url")
    parser.add_argument("--database-url", help="the stack's DATABASE_URL")
    parser.add_argument("--rasa-url", help="the stack's Rasa server (for the Rasa check)")
    parser.add_argument("--layout", choices=("default", "production"), default="default",
                        help="default: one of each process on SQLite; production: nginx, "
                             "PostgreSQL and Redis (scripts/production.py)")
    parser.add_argument("--instances", type=int, default=1,
                        help="with --layout production: this many of each process")
    parser.add_argument("--duration-limit", type=float, default=300,
                        help="seconds per run; what is still running then is aborted")
    parser.add_argument("--turn-timeout", type=float, default=TURN_TIMEOUT,
                        help="seconds a customer waits for one answer")
    parser.add_argument("--json", type=Path, help="also write the reports here")
    args = parser.parse_args(argv)
    if args.gateway_url and not args.database_url:
        parser.error("--gateway-url needs --database-url")
    if args.gateway_url and args.layout == "production":
        parser.error("--layout production starts its own stack; leave out --gateway-url")
    if any(n < 1 for n in args.conversations):
        parser.error("--conversations must be at least 1")
    try:
        require_loopback(gateway_url=args.gateway_url, database_url=args.database_url,
                         rasa_url=args.rasa_url)
    except ValueError as error:
        parser.error(str(error))

    reports = []
    with stack_urls(args) as (gateway_url, database_url, rasa_url):
        for conversations in args.conversations:
            report = asyncio.run(run_load(gateway_url, database_url, rasa_url, conversations,
                                          args.duration_limit, args.turn_timeout))
            print_report(report)
            reports.append(report)
    if args.json:
        args.json.write_text(json.dumps({
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.processor() or platform.machine()}",
            "layout": args.layout, "instances": args.instances,
            "reports": [r.to_json() for r in reports],
        }, indent=2, default=str))
    return 0 if all(r.accounting_ok for r in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
