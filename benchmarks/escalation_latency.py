"""Time to the inbox: from "I want to talk to a person" to the agent's `handoff` event.

A customer on the website widget asks for a person; an agent logged in to the inbox follows
GET /api/v1/events (server-sent events). Measured: from sending the message on /ws/chat to
the arrival of the first `handoff` event for that conversation. Each repetition is a fresh
conversation; the handoffs stay open, so the queue grows as it would on a busy day.

    .venv/bin/python -m benchmarks.escalation_latency [--repeat 30]

`--layout production` measures the production layout (scripts/production.py: two of each
process behind nginx, under supervisord, on the PostgreSQL and Redis named by DATABASE_URL,
TRACKER_STORE_URL and REDIS_URL, as for benchmarks.load). There the first escalations
right after the start (one per instance, `--fresh`) are reported on their own: what the
first customers after a (re)start wait. Then `--repeat` more give the steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from typing import Any

import httpx

from benchmarks.stack_runner import Widget, running_stack, summary

ASK_FOR_PERSON = "I want to talk to a person"
USERNAME, PASSWORD = "bench-agent", "bench-agent-password"
TIMEOUT = 30.0  # per escalation


def create_agent() -> None:
    """The benchmark's agent; kept from an earlier run on the same database, it is reused."""
    from handoff.auth.accounts import AccountConflict, create_agent
    from store.db import session_scope
    from store.models import Role

    with contextlib.suppress(AccountConflict), session_scope() as session:
        create_agent(session, username=USERNAME, display_name="Bench", role=Role.agent,
                     password=PASSWORD)


async def follow_inbox(response: httpx.Response, handoffs: asyncio.Queue[tuple[float, str]],
                       connected: asyncio.Event) -> None:
    """Queue (arrival time, conversation id) for every `handoff` event on the stream."""
    event = ""
    async for line in response.aiter_lines():
        if line.startswith(": connected"):
            connected.set()
        elif line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and event == "handoff":
            data: dict[str, Any] = json.loads(line.removeprefix("data:"))
            await handoffs.put((time.perf_counter(), data["handoff"]["conversation_id"]))
        elif not line:
            event = ""


async def escalate_once(gateway_url: str, handoffs: asyncio.Queue[tuple[float, str]]) -> float:
    widget = await Widget.open(gateway_url, locale="en-US")
    try:
        started = time.perf_counter()
        await widget.say(ASK_FOR_PERSON)
        deadline = started + TIMEOUT
        while True:
            arrived, conversation_id = await asyncio.wait_for(
                handoffs.get(), max(0.0, deadline - time.perf_counter()))
            if conversation_id == widget.conversation_id:
                return arrived - started
    finally:
        await widget.close()


async def measure(gateway_url: str, repeat: int) -> list[float]:
    """`repeat` + 1 escalations, one after the other; the latency of each, in order."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=TIMEOUT) as client:
        login = await client.post("/api/v1/auth/login",
                                  json={"username": USERNAME, "password": PASSWORD})
        login.raise_for_status()
        token = login.json()["token"]
        handoffs: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        connected = asyncio.Event()
        stream_timeout = httpx.Timeout(TIMEOUT, read=None)  # the heartbeat comes every 15 s
        async with client.stream("GET", "/api/v1/events", params={"token": token},
                                 timeout=stream_timeout) as response:
            response.raise_for_status()
            reader = asyncio.create_task(follow_inbox(response, handoffs, connected))
            try:
                await asyncio.wait_for(connected.wait(), TIMEOUT)
                return [await escalate_once(gateway_url, handoffs)
                        for _ in range(repeat + 1)]
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader


def report(label: str, latencies: list[float]) -> None:
    figures = summary(latencies)
    print(f"{label}, {figures['n']:.0f} conversations (ms): p50 {figures['p50']:.0f}  "
          f"p95 {figures['p95']:.0f}  max {figures['max']:.0f}  mean {figures['mean']:.0f}")


def main(repeat: int, layout: str, fresh: int) -> None:
    if layout == "production":
        from benchmarks.load import production_urls
        from scripts.stack import lift_chat_limits

        lift_chat_limits()
        stack = production_urls(2)
    else:
        stack, fresh = running_stack(), 1  # the first one only warms up
    with stack as started:
        gateway_url = started[0] if layout == "production" else started.gateway_url
        create_agent()
        latencies = asyncio.run(measure(gateway_url, repeat + fresh - 1))
    if layout == "production":
        report("right after the start: escalation -> inbox `handoff` event",
               latencies[:fresh])
        print("  each (ms): " + "  ".join(f"{s * 1000:.0f}" for s in latencies[:fresh]))
    report("steady state: escalation -> inbox `handoff` event", latencies[fresh:])
    print("target (product spec): p95 < 1000 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.escalation_latency")
    parser.add_argument("--repeat", type=int, default=30, help="measured escalations")
    parser.add_argument("--layout", choices=("single", "production"), default="single")
    parser.add_argument("--fresh", type=int, default=4,
                        help="production: escalations right after the start, reported apart")
    arguments = parser.parse_args()
    main(arguments.repeat, arguments.layout, arguments.fresh)
