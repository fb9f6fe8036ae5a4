"""Capacity as a ratio: messages per second through the whole production layout against
Rasa's own HTTP channel, on the same machine, model and processes, and where the time goes.

    DATABASE_URL=postgresql://…/cap_shop TRACKER_STORE_URL=postgresql://…/cap_rasa \
    REDIS_URL=redis://127.0.0.1:…/0 \
    .venv/bin/python -m benchmarks.capacity [--conversations 50] [--rounds 2]
        [--instances 2] [--json out.json]

Starts scripts/production.py's layout (nginx in front of N gateways, Rasa servers and
action servers) on the PostgreSQL and Redis named by the environment (fresh databases on
a server of its own: its statistics are read per database). Two paths, the same customers:

- *full*: one widget WebSocket per conversation on nginx's public port: nginx → gateway →
  (stored, turn lock) → nginx → Rasa → nginx → actions; the turn is over when the bot's
  replies have arrived.
- *direct*: Rasa's HTTP channel, straight through nginx's Rasa port to the same Rasa
  servers: `POST /webhooks/gateway/webhook` with the token, the body the gateway sends.
  The served credentials have no `rest` channel any more; the gateway channel does what
  `rest` does (one CollectingOutputChannel, the replies in the response) plus a token
  compare, and running it on the very processes the full path uses keeps everything else
  equal: same model in the same memory, same tracker store, lock store and action
  servers. A separate rest-enabled Rasa would be another process to warm and would share
  the two cores with the layout's.

Each of `--conversations` slots runs `--rounds` scripted conversations one after the
other (order status with verification, FAQ questions; Indonesian and English), each
message sent once the previous answer is in. Phases run direct, full, full, direct, so
drifting background load hits both; a warm-up per path comes first, uncounted.

Where the time goes, per answered message, all measured: the client's round trip;
nginx's own timing of every request to Rasa and to the action servers (an access log of
`$msec $server_port $uri $request_time`, switched on for the run: no query strings, so no
token); PostgreSQL's time executing statements per database (pg_stat_database.active_time
of "shop": gateways and actions, and of "rasa": Rasa's tracker store) and commits; and CPU
seconds per process kind from /proc (on two shared cores, CPU is what capacity is made of).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.load import require_loopback
from handoff.conversations.rasa_client import RasaToken
from handoff.ops.metrics import percentile
from scripts.widget_client import Widget
from store import db

# (language, messages): what one customer types, every answer awaited.
SCRIPTS = (
    ("id", ("kak paket ORD-583920 udah sampai mana ya?", "0811 2233 4455", "oke makasih kak")),
    ("en", ("How much does shipping cost to Medan?", "can I return an item I bought last week?")),
    ("en", ("Hi, where is my order ORD-240518?", "andi.pratama@example.com", "great, thanks!")),
    ("id", ("kak pengiriman ke Surabaya berapa lama ya?", "ada COD gak min?")),
)
LOCALES = {"id": "id-ID", "en": "en-US"}
TURN_TIMEOUT = 120.0
QUIET_SECONDS = 2.0  # calibration: no further bot message for this long ends a turn
STATS_FLUSH_SECONDS = 12.0  # idle PostgreSQL backends report their statistics within 10 s
TIMING_FORMAT = "log_format timing '$msec $server_port $uri $status $request_time';"
PROCESS_KINDS = ("nginx", "gateway", "Rasa server", "action server")
Script = tuple[str, tuple[str, ...]]
Customer = Callable[[Script], Awaitable[list[float]]]


# --- the two paths ---------------------------------------------------------------------------

def direct_customer(client: httpx.AsyncClient, expected: dict) -> Customer:
    async def converse(script: Script) -> list[float]:
        language, messages = script
        sender, times = f"capacity-{uuid.uuid4().hex}", []
        for number, message in enumerate(messages, start=1):
            started = time.perf_counter()
            response = await client.post("/webhooks/gateway/webhook", json={
                "sender": sender, "message": message, "message_id": f"{sender}-{number}",
                "metadata": {"channel": "web", "customer_id": None, "locale": language}})
            response.raise_for_status()
            answer = response.json()
            if answer["failed_actions"] or len(answer["messages"]) != expected[message]:
                raise RuntimeError(f"unexpected answer to {message!r}: {answer}")
            times.append(time.perf_counter() - started)
        return times

    return converse


async def bot_replies(widget: Widget, count: int) -> None:
    for _ in range(count):
        frame = await widget.next_frame("message", TURN_TIMEOUT)
        while frame["sender"] not in ("bot", "system"):  # the echo of the customer's own
            frame = await widget.next_frame("message", TURN_TIMEOUT)
        if frame["sender"] == "system":
            raise RuntimeError(f"the gateway apologised: {frame['text']!r}")


def full_customer(gateway_url: str, expected: dict) -> Customer:
    async def converse(script: Script) -> list[float]:
        language, messages = script
        widget = await Widget.open(gateway_url, LOCALES[language])
        times = []
        try:
            for message in messages:
                started = time.perf_counter()
                await widget.say(message)
                await bot_replies(widget, expected[message])
                times.append(time.perf_counter() - started)
        finally:
            await widget.close()
        return times

    return converse


async def calibrate(client: httpx.AsyncClient, gateway_url: str) -> dict[str, int]:
    """Bot messages per customer message, from Rasa's own answer; the full path must give
    the same (read alone, until the socket stays quiet), or the run would misread turns."""
    counts: dict[str, int] = {}
    for language, messages in SCRIPTS:
        sender = f"capacity-calibration-{uuid.uuid4().hex}"
        for message in messages:
            response = await client.post("/webhooks/gateway/webhook", json={
                "sender": sender, "message": message,
                "metadata": {"channel": "web", "customer_id": None, "locale": language}})
            counts[message] = len(response.json()["messages"])
        widget = await Widget.open(gateway_url, LOCALES[language])
        try:
            for message in messages:
                await widget.say(message)
                seen = 0
                with contextlib.suppress(asyncio.TimeoutError):
                    while True:
                        frame = await widget.next_frame(
                            "message", TURN_TIMEOUT if seen == 0 else QUIET_SECONDS)
                        seen += frame["sender"] in ("bot", "system")
                if seen != counts[message]:
                    raise RuntimeError(f"{message!r}: {counts[message]} replies from Rasa, "
                                       f"{seen} through the gateway")
        finally:
            await widget.close()
    return counts


async def run_customers(customer: Customer, conversations: int, rounds: int) -> list[float]:
    async def slot(number: int) -> list[float]:
        times = []
        for round_ in range(rounds):
            times += await customer(SCRIPTS[(number + round_) % len(SCRIPTS)])
        return times

    results = await asyncio.gather(*(slot(n) for n in range(conversations)))
    return [t for times in results for t in times]


# --- what the machine spent ------------------------------------------------------------------

def process_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent, own CPU seconds + that of its children already reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                table[int(entry.name)] = (int(fields[1]),
                                          sum(int(f) for f in fields[11:15]) / tick)
    return table


def tree_cpu(root: int, table: dict[int, tuple[int, float]]) -> float:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in table.items():
        children[parent].append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0.0))[1]
        stack += children[pid]
    return total


@dataclass
class Probes:
    """Where CPU seconds, PostgreSQL time and nginx timings are read from."""

    roots: dict[str, list[int]]  # process kind -> root pids
    database_url: str
    databases: tuple[str, str]  # shop, rasa
    timing_log: Path

    def cpu(self) -> dict[str, float]:
        table = process_table()
        spent = {kind: sum(tree_cpu(pid, table) for pid in pids)
                 for kind, pids in self.roots.items()}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {**spent, "benchmark client": usage.ru_utime + usage.ru_stime}

    def database(self) -> dict[str, tuple[float, int]]:
        """database -> (ms executing statements, commits) so far."""
        engine = db.make_engine(self.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT datname, active_time, xact_commit FROM pg_stat_database "
                    "WHERE datname = ANY(:names)"), {"names": list(self.databases)})
                return {name: (float(active), int(commits)) for name, active, commits in rows}
        finally:
            engine.dispose()

    def requests(self, start: float, end: float) -> list[tuple[int, str, float]]:
        """(port, path, seconds) of each request nginx finished between start and end."""
        found = []
        for line in self.timing_log.read_text().splitlines():
            stamp, port, uri, _status, seconds = line.split()
            if start <= float(stamp) <= end:
                found.append((int(port), uri, float(seconds)))
        return found


@dataclass
class Phase:
    path: str
    seconds: float
    round_trips: list[float]
    cpu: dict[str, float]
    database: dict[str, tuple[float, int]]
    requests: list[tuple[int, str, float]] = field(repr=False)


async def measure(path: str, customer: Customer, probes: Probes, conversations: int,
                  rounds: int) -> Phase:
    cpu, database = probes.cpu(), probes.database()
    wall_start, started = time.time(), time.perf_counter()
    round_trips = await run_customers(customer, conversations, rounds)
    seconds, wall_end = time.perf_counter() - started, time.time()
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    cpu_after, database_after = probes.cpu(), probes.database()
    return Phase(path, seconds, round_trips,
                 {kind: cpu_after[kind] - cpu[kind] for kind in cpu},
                 {name: (database_after[name][0] - database[name][0],
                         database_after[name][1] - database[name][1]) for name in database},
                 probes.requests(wall_start, wall_end + 1))


# --- the layout ------------------------------------------------------------------------------

def switch_on_timing_log(stack: Any, state: Path) -> Path:
    """nginx's access log with timings only (path without query: no token), then reload."""
    from scripts.production import NGINX

    config = state / "nginx" / "nginx.conf"
    log = state / "nginx" / "timing.log"
    original = config.read_text()
    if "  access_log off;" not in original:
        raise RuntimeError(f"{config}: no 'access_log off;' to replace")
    config.write_text(original.replace(
        "  access_log off;", f"  {TIMING_FORMAT}\n  access_log {log} timing;", 1))
    subprocess.run([NGINX, "-p", str(state / "nginx"), "-c", str(config), "-s", "reload"],
                   check=True)
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:  # new workers open it
        httpx.get(f"{stack.gateway_url}/healthz")
        time.sleep(0.2)
    return log


def listening_processes(ports: dict[int, str]) -> dict[str, list[int]]:
    """kind -> the processes listening on its ports (the topmost of those sharing a
    socket, e.g. nginx's master), found through /proc whoever started them."""
    inodes = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        port = int(fields[1].rsplit(":", 1)[1], 16)
        if fields[3] == "0A" and port in ports:  # 0A: listening
            inodes[f"socket:[{fields[9]}]"] = port
    holders: dict[int, set[int]] = defaultdict(set)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                for fd in (entry / "fd").iterdir():
                    with contextlib.suppress(OSError):
                        if (target := os.readlink(fd)) in inodes:
                            holders[inodes[target]].add(int(entry.name))
    table = process_table()
    found: dict[str, list[int]] = defaultdict(list)
    for port, pids in holders.items():
        found[ports[port]] += [pid for pid in pids if table.get(pid, (0, 0))[0] not in pids]
    return dict(found)


def store_pids(database_url: str, redis_url: str) -> dict[str, list[int]]:
    """The PostgreSQL server (the parent of a backend) and the Redis server of the run."""
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            postmaster = process_table()[backend][0]  # while the backend lives
    finally:
        engine.dispose()
    redis_pid = redis.Redis.from_url(redis_url).info("server")["process_id"]
    return {"PostgreSQL": [postmaster], "Redis": [int(redis_pid)]}


@contextlib.contextmanager
def production_layout(instances: int) -> Iterator[tuple[Any, Probes]]:
    from scripts.production import production_stack
    from scripts.stack import prepare_database
    from scripts.train import ensure_model

    urls = {name: os.environ.get(name) for name in ("DATABASE_URL", "TRACKER_STORE_URL",
                                                    "REDIS_URL")}
    if not all(urls.values()):
        raise SystemExit(f"set {', '.join(urls)}: PostgreSQL and Redis for the run")
    require_loopback(**urls)
    prepare_database()  # migrated, demo orders seeded (the scripts' orders)
    with tempfile.TemporaryDirectory(prefix="shop-capacity-") as directory:
        state = Path(directory)
        with production_stack(instances, state, model=ensure_model(),
                              database_url=urls["DATABASE_URL"],
                              tracker_url=urls["TRACKER_STORE_URL"],
                              redis_url=urls["REDIS_URL"]) as stack:
            ports = {stack.ports.public["GATEWAY_PORT"]: "nginx"}
            for own in stack.ports.instances:
                ports.update({own["GATEWAY_PORT"]: "gateway", own["RASA_PORT"]: "Rasa server",
                              own["ACTIONS_PORT"]: "action server"})
            roots = listening_processes(ports)
            if set(roots) != set(PROCESS_KINDS):
                raise RuntimeError(f"not every process found listening: {roots}")
            probes = Probes({**roots, **store_pids(urls["DATABASE_URL"], urls["REDIS_URL"])},
                            urls["DATABASE_URL"],
                            (make_url(urls["DATABASE_URL"]).database,
                             make_url(urls["TRACKER_STORE_URL"]).database),
                            switch_on_timing_log(stack, state))
            yield stack, probes


# --- the report ------------------------------------------------------------------------------

def summarise(phases: list[Phase], ports: dict[str, int], databases: tuple[str, str],
              ) -> dict[str, Any]:
    """Per path: throughput, round trips, and per answered message where the time and the
    CPU went."""
    shop, rasa = databases
    paths: dict[str, Any] = {}
    for path in ("direct", "full"):
        mine = [p for p in phases if p.path == path]
        messages = sum(len(p.round_trips) for p in mine)
        seconds = sum(p.seconds for p in mine)
        trips = [t for p in mine for t in p.round_trips]
        requests = [r for p in mine for r in p.requests]

        def per_message_ms(port: int, uri: str, _requests=requests, _messages=messages) -> float:
            return 1000 * sum(s for p_, u, s in _requests if p_ == port and u == uri) / _messages

        rasa_ms = per_message_ms(ports["RASA_PORT"], "/webhooks/gateway/webhook")
        actions_ms = per_message_ms(ports["ACTIONS_PORT"], "/webhook")
        kinds = mine[0].cpu.keys()
        paths[path] = {
            "messages": messages, "seconds": round(seconds, 1),
            "messages_per_s": round(messages / seconds, 2),
            "round_trip_ms": {"mean": round(statistics.fmean(trips) * 1000),
                              "p50": round(percentile(trips, 0.5) * 1000),
                              "p95": round(percentile(trips, 0.95) * 1000)},
            "per_message_ms": {
                "in Rasa (nginx: gateway channel request)": round(rasa_ms),
                "of which in the action servers (nginx: /webhook)": round(actions_ms),
                "action calls": round(sum(1 for p_, u, _ in requests
                                          if p_ == ports["ACTIONS_PORT"] and u == "/webhook")
                                      / messages, 2),
                "outside Rasa (client, nginx, gateway)": round(
                    statistics.fmean(trips) * 1000 - rasa_ms),
                f"PostgreSQL executing, {shop} (gateways, actions)":
                    round(sum(p.database[shop][0] for p in mine) / messages, 1),
                f"PostgreSQL executing, {rasa} (Rasa's tracker store)":
                    round(sum(p.database[rasa][0] for p in mine) / messages, 1),
                f"commits, {shop}": round(sum(p.database[shop][1] for p in mine) / messages, 2),
                f"commits, {rasa}": round(sum(p.database[rasa][1] for p in mine) / messages, 2),
            },
            "cpu_ms_per_message": {kind: round(1000 * sum(p.cpu[kind] for p in mine) / messages)
                                   for kind in kinds},
        }
    paths["ratio"] = round(paths["full"]["messages_per_s"] / paths["direct"]["messages_per_s"],
                           3)
    return paths


def print_report(report: dict[str, Any]) -> None:
    direct, full = report["direct"], report["full"]
    print(f"\nthroughput, answered customer messages per second at {report['conversations']} "
          f"concurrent conversations ({report['instances']} of each process)")
    for name, path in (("direct (Rasa's HTTP channel)", direct),
                       ("full (widget → nginx → gateway → Rasa)", full)):
        trip = path["round_trip_ms"]
        print(f"  {name:<42} {path['messages_per_s']:>6.2f} msg/s  ({path['messages']} in "
              f"{path['seconds']} s; round trip mean {trip['mean']} p50 {trip['p50']} "
              f"p95 {trip['p95']} ms)")
    print(f"  ratio full / direct: {report['ratio']:.3f} (target ≥ 0.85)")
    print("\nper answered message            direct      full")
    for key in full["per_message_ms"]:
        print(f"  {key:<58} {direct['per_message_ms'][key]:>8} {full['per_message_ms'][key]:>8}")
    print("CPU ms per answered message")
    for kind in full["cpu_ms_per_message"]:
        print(f"  {kind:<58} {direct['cpu_ms_per_message'][kind]:>8} "
              f"{full['cpu_ms_per_message'][kind]:>8}")
    print(f"load average before {report['load_before']}, after {report['load_after']}")
    sys.stdout.flush()


async def benchmark(stack: Any, probes: Probes, conversations: int, rounds: int,
                    ) -> list[Phase]:
    limits = httpx.Limits(max_connections=conversations,
                          max_keepalive_connections=conversations)
    async with httpx.AsyncClient(base_url=stack.rasa_url, auth=RasaToken(), limits=limits,
                                 timeout=TURN_TIMEOUT) as client:
        expected = await calibrate(client, stack.gateway_url)
        paths = {"direct": direct_customer(client, expected),
                 "full": full_customer(stack.gateway_url, expected)}
        for customer in paths.values():  # warm-up, not counted
            await run_customers(customer, min(conversations, 10), 1)
        phases = []
        for path in ("direct", "full", "full", "direct"):
            phases.append(await measure(path, paths[path], probes, conversations, rounds))
            print(f"  {path}: {len(phases[-1].round_trips)} messages in "
                  f"{phases[-1].seconds:.1f} s", flush=True)
        return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capacity",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2,
                        help="conversations each slot runs one after the other, per phase")
    parser.add_argument("--instances", type=int, default=2, help="of each process")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with production_layout(args.instances) as (stack, probes):
        phases = asyncio.run(benchmark(stack, probes, args.conversations, args.rounds))
        report = summarise(phases, stack.ports.public, probes.databases)
    report.update(conversations=args.conversations, rounds=args.rounds,
                  instances=args.instances, load_before=load_before,
                  load_after=[round(x, 2) for x in os.getloadavg()],
                  date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
