"""The production layout on real processes: two of each behind nginx, PostgreSQL, Redis.

Needs TEST_POSTGRES_URL (scripts/test starts PostgreSQL), Redis (TEST_REDIS_URL, or a
redis-server this fixture starts) and nginx. Each package run gets fresh databases, dropped
afterwards. Faults are real: processes are stopped, killed and restarted by the tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.load_client import ChatClient
from scripts.processes import free_port, wait_for_url
from scripts.production import NGINX, ProductionStack, production_stack
from scripts.stack import CHAT_LIMITS_LIFTED, shop_environment
from scripts.supervision import SupervisedService
from store import db

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = 2


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("SHOP_REQUIRE_BROWSER"):  # the test command provides all of it
        raise RuntimeError(reason)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def redis_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    _require(shutil.which("redis-server") is not None, "redis-server is missing")
    env = {**os.environ, "REDIS_PORT": str(free_port()),
           "REDIS_DIR": str(tmp_path_factory.mktemp("redis"))}
    url = subprocess.run([ROOT / "scripts/redis.sh", "start"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    yield url
    subprocess.run([ROOT / "scripts/redis.sh", "stop"], env=env, check=False)


@pytest.fixture(scope="package")
def databases() -> Iterator[tuple[str, str]]:
    """(shop database URL, Rasa tracker store URL): two new databases on the test server."""
    _require(bool(os.environ.get("TEST_POSTGRES_URL")), "TEST_POSTGRES_URL is not set")
    server = make_url(os.environ["TEST_POSTGRES_URL"])
    names = [f"prod_{uuid.uuid4().hex[:8]}_{part}" for part in ("shop", "rasa")]
    admin = db.make_engine(str(server)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield tuple(str(server.set(database=name)) for name in names)
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="package")
def production(databases, redis_url) -> Iterator[ProductionStack]:
    from scripts.stack import prepare_database
    from scripts.train import ensure_model

    _require(Path(NGINX).exists(), f"{NGINX} is missing (apt-get install -y nginx)")
    model = Path(os.environ.get("SHOP_TEST_MODEL") or ensure_model())
    # Kept after the run (the next run starts it afresh): the logs tell what went wrong.
    state = Path(os.environ.get("SHOP_VAR_DIR", ROOT / "var" / "test")) / "production"
    shutil.rmtree(state, ignore_errors=True)
    shop_url, tracker_url = databases
    env = {"SHOP_VAR_DIR": str(state), "DATABASE_URL": shop_url,
           "OPENING_HOURS": "00:00-23:59:59", **CHAT_LIMITS_LIFTED}
    with shop_environment(env):
        prepare_database()
        with production_stack(INSTANCES, state, model=model, database_url=shop_url,
                              tracker_url=tracker_url, redis_url=redis_url,
                              extra_env=env) as stack:
            yield stack


def kill(service: SupervisedService, sig: signal.Signals = signal.SIGKILL) -> int:
    """Signal the whole process group (Rasa and nginx run workers of their own), as an
    out-of-memory kill or a crash would; returns the pid that was signalled. supervisord
    starts a killed process again (back_again waits for that)."""
    pid = service.pid()
    assert pid, f"{service.name} is not running: {service.state()}"
    os.killpg(pid, sig)
    if sig in (signal.SIGKILL, signal.SIGTERM):
        deadline = time.monotonic() + 30
        while service.pid() == pid and time.monotonic() < deadline:
            time.sleep(0.1)
    return pid


def back_again(service: SupervisedService, killed_pid: int, timeout: float = 300) -> None:
    """Until supervisord has started a killed service again and it answers."""
    service.wait_restarted(killed_pid, timeout)


def take_down(*services: SupervisedService) -> None:
    """Stopped on purpose (supervisorctl stop): kept down until restart()."""
    for service in services:
        service.stop()


def restart(*services: SupervisedService, through: str | None = None,
            timeout: float = 300) -> None:
    """Start services that were taken down (or are still coming back) and wait until each
    answers, and until the load balancer routes to them again (`through`: a URL behind it;
    nginx keeps a failed server out for a moment)."""
    for service in services:
        if service.state() in ("STOPPED", "EXITED", "FATAL"):
            service.start()
    for service in services:
        service.wait_healthy(timeout)
    if through:
        assert wait_for_url(through, 30), f"the load balancer does not route to {through}"


async def talk(customers: list[ChatClient], texts: list[str]) -> None:
    """Each customer says one thing (Indonesian or English, by locale) and gets an answer."""
    async def one(customer: ChatClient) -> None:
        message = await customer.say(texts[customer.locale.startswith("en")])
        await customer.turn(message, timeout=120)

    await asyncio.gather(*(one(c) for c in customers))
