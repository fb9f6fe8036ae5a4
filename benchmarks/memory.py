"""Resident memory of the stack: each process with its children, idle and after a burst.

RSS (VmRSS from /proc/<pid>/status) of the action server, the Rasa server and the gateway,
summed over each one's process tree, read once the stack has been idle for a few seconds
after start, and again after a burst of concurrent website conversations.

    .venv/bin/python -m benchmarks.memory [--conversations 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from benchmarks.stack_runner import Widget, running_stack, service_pids

QUESTIONS = ("How long does shipping to Surabaya take?", "Berapa lama pengiriman ke Surabaya?")
SETTLE_SECONDS = 5.0
TIMEOUT = 120.0  # per bot reply, generous: 50 conversations share 2 cores


def children_by_parent() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0  # gone, or a kernel thread


def tree_rss(pid: int) -> tuple[int, int]:
    """(processes, KiB) of pid and all its descendants."""
    tree, todo, seen = children_by_parent(), [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(tree.get(current, []))
    return len(seen), sum(rss_kib(p) for p in seen)


def snapshot() -> dict[str, tuple[int, int]]:
    return {name: tree_rss(pid) for name, pid in sorted(service_pids().items())}


async def one_conversation(gateway_url: str) -> None:
    widget = await Widget.open(gateway_url, locale="en-US")
    try:
        for text in QUESTIONS:
            await widget.say(text)
            await widget.bot_says(TIMEOUT)
    finally:
        await widget.close()


async def burst(gateway_url: str, conversations: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(one_conversation(gateway_url) for _ in range(conversations)))
    return time.perf_counter() - started


def print_table(idle: dict[str, tuple[int, int]], busy: dict[str, tuple[int, int]]) -> None:
    print(f"{'process (with children)':<24} {'procs':>5} {'idle MiB':>9} {'after MiB':>10} "
          f"{'delta':>7}")
    for name, (count, idle_kib) in idle.items():
        busy_kib = busy.get(name, (0, 0))[1]
        print(f"{name:<24} {count:>5} {idle_kib / 1024:>9.0f} {busy_kib / 1024:>10.0f} "
              f"{(busy_kib - idle_kib) / 1024:>+7.0f}")
    idle_total = sum(kib for _, kib in idle.values())
    busy_total = sum(kib for _, kib in busy.values())
    print(f"{'total':<24} {'':>5} {idle_total / 1024:>9.0f} {busy_total / 1024:>10.0f} "
          f"{(busy_total - idle_total) / 1024:>+7.0f}")


def main(conversations: int) -> None:
    with running_stack() as stack:
        time.sleep(SETTLE_SECONDS)
        idle = snapshot()
        elapsed = asyncio.run(burst(stack.gateway_url, conversations))
        time.sleep(SETTLE_SECONDS)
        busy = snapshot()
    print(f"burst: {conversations} concurrent conversations x {len(QUESTIONS)} messages "
          f"in {elapsed:.1f} s; RSS read {SETTLE_SECONDS:.0f} s after start and after the burst")
    print_table(idle, busy)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--conversations", type=int, default=50)
    main(parser.parse_args().conversations)
