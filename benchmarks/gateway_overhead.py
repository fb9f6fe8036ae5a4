"""What the gateway adds to a bot round trip: straight to Rasa vs the widget WebSocket.

Direct: POST /webhooks/gateway/webhook on the Rasa server (the channel the gateway itself
uses, with its token; Rasa serves no other), timed until the replies come back.
Gateway: a `message` frame on /ws/chat, timed until the first bot message arrives (through
the gateway's Rasa callback). The same FAQ question, in English and in Indonesian, with the
metadata the gateway would send, at 1, 10 and 50 concurrent conversations. Each round
sends one message per conversation on both paths, alternating which path goes first.

    .venv/bin/python -m benchmarks.gateway_overhead [--levels 1 10 50] [--messages 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from benchmarks.stack_runner import Widget, running_stack, summary
from handoff.conversations.rasa_client import RasaToken

# (text, the locale the gateway detects for it and passes to Rasa as metadata)
QUESTIONS = (("How long does shipping to Surabaya take?", "en"),
             ("Berapa lama pengiriman ke Surabaya?", "id"))
TIMEOUT = 120.0  # per message; a slower answer fails the run instead of hanging it
QUIET_SECONDS = 5.0  # no further bot message for this long: the exchange is over
WARM_UP_ROUNDS = len(QUESTIONS)
Round = Callable[[str, str], Awaitable[list[float]]]


def direct_path(client: httpx.AsyncClient, conversations: int) -> Round:
    senders = [f"bench-{uuid.uuid4().hex}" for _ in range(conversations)]

    async def one(sender: str, text: str, locale: str) -> float:
        started = time.perf_counter()
        response = await client.post("/webhooks/gateway/webhook", json={
            "sender": sender, "message": text,
            "metadata": {"channel": "web", "customer_id": None, "locale": locale}})
        response.raise_for_status()
        if not response.json().get("messages"):
            raise RuntimeError(f"Rasa gave no reply to {text!r}")
        return time.perf_counter() - started

    async def run(text: str, locale: str) -> list[float]:
        return list(await asyncio.gather(*(one(s, text, locale) for s in senders)))

    return run


async def count_replies(gateway_url: str) -> dict[str, int]:
    """Bot messages per question, counted alone (no load) until the socket stays quiet, so
    each measured exchange can be read to its end: a late reply to one message must not be
    taken for the answer to the next."""
    widget = await Widget.open(gateway_url, locale="en-US")
    counts: dict[str, int] = {}
    try:
        for text, _locale in QUESTIONS:
            await widget.say(text)
            await widget.bot_says(TIMEOUT)
            counts[text] = 1
            with contextlib.suppress(asyncio.TimeoutError):
                for _ in range(10):
                    await widget.bot_says(QUIET_SECONDS)
                    counts[text] += 1
    finally:
        await widget.close()
    return counts


def gateway_path(widgets: list[Widget], replies: dict[str, int]) -> Round:
    async def one(widget: Widget, text: str) -> float:
        started = time.perf_counter()
        await widget.say(text)
        await widget.bot_says(TIMEOUT)
        elapsed = time.perf_counter() - started
        for _ in range(replies[text] - 1):
            await widget.bot_says(TIMEOUT)
        return elapsed

    async def run(text: str, _locale: str) -> list[float]:
        return list(await asyncio.gather(*(one(w, text) for w in widgets)))

    return run


async def measure_level(gateway_url: str, rasa_url: str, conversations: int, messages: int,
                        replies: dict[str, int]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"direct": [], "gateway": []}
    widgets = await asyncio.gather(*(Widget.open(gateway_url, locale="en-US")
                                     for _ in range(conversations)))
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    try:
        async with httpx.AsyncClient(base_url=rasa_url, timeout=TIMEOUT, limits=limits,
                                     auth=RasaToken()) as client:
            paths = {"direct": direct_path(client, conversations),
                     "gateway": gateway_path(list(widgets), replies)}
            for number in range(WARM_UP_ROUNDS + messages):
                text, locale = QUESTIONS[number % len(QUESTIONS)]
                order = ("direct", "gateway") if number % 2 == 0 else ("gateway", "direct")
                for name in order:
                    timings = await paths[name](text, locale)
                    if number >= WARM_UP_ROUNDS:
                        samples[name].extend(timings)
    finally:
        await asyncio.gather(*(w.close() for w in widgets), return_exceptions=True)
    return samples


def report(conversations: int, samples: dict[str, list[float]]) -> None:
    direct, gateway = summary(samples["direct"]), summary(samples["gateway"])
    print(f"{conversations:>5} {direct['n']:>5.0f} "
          f"{direct['p50']:>9.0f} {direct['p95']:>9.0f} "
          f"{gateway['p50']:>9.0f} {gateway['p95']:>9.0f} "
          f"{gateway['p50'] / direct['p50']:>7.2f} {gateway['p95'] / direct['p95']:>7.2f}",
          flush=True)


async def main(levels: list[int], messages: int, min_samples: int) -> None:
    with running_stack() as stack:
        replies = await count_replies(stack.gateway_url)
        print(f"bot messages per question (each exchange is read to its end): {replies}")
        print("round trip in ms; direct = Rasa's gateway channel, gateway = /ws/chat until the "
              "first bot message; x = gateway / direct")
        print(f"{'conv':>5} {'n':>5} {'direct50':>9} {'direct95':>9} {'gw50':>9} {'gw95':>9} "
              f"{'x p50':>7} {'x p95':>7}", flush=True)
        for conversations in levels:
            count = max(messages, -(-min_samples // conversations))
            samples = await measure_level(stack.gateway_url, stack.rasa_url, conversations,
                                          count, replies)
            report(conversations, samples)
    print("target (product spec): the gateway adds at most 15% (ratio <= 1.15)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway_overhead")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50],
                        help="concurrent conversations")
    parser.add_argument("--messages", type=int, default=5,
                        help="measured messages per conversation (after 2 warm-up ones)")
    parser.add_argument("--min-samples", type=int, default=20,
                        help="send more messages per conversation at low concurrency until "
                             "each path has at least this many samples")
    args = parser.parse_args()
    asyncio.run(main(args.levels, args.messages, args.min_samples))
