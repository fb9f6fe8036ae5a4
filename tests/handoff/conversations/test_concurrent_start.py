"""Several gateway instances on one database: migrating at once, sweeping one at a time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from handoff.conversations import idle
from store import db
from store.migrate import head_revision
from tests.handoff.conftest import postgres_schema

INSTANCES = 4
MIGRATE = ("from store.migrate import upgrade_to_head; "
           "print(upgrade_to_head(), flush=True)")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shop.db"
        return
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    with postgres_schema("start") as url:
        yield url


def test_instances_migrating_at_once_all_end_at_head(empty_database):
    env = {**os.environ, "DATABASE_URL": empty_database}
    processes = [subprocess.Popen([sys.executable, "-c", MIGRATE], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(INSTANCES)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]

    assert [code for code, _, _ in results] == [0] * INSTANCES, [err for _, _, err in results]
    assert {out.strip() for _, out, _ in results} == {head_revision()}
    engine = db.make_engine(empty_database)
    try:
        assert inspect(engine).has_table("messages")
    finally:
        engine.dispose()


async def test_one_instance_sweeps_idle_conversations_at_a_time(shop_db):
    if shop_db.dialect.name != "postgresql":
        assert await idle.sweep_unless_busy() is not None  # one instance: always its turn
        return
    lock = text("SELECT pg_advisory_lock(:key)")
    unlock = text("SELECT pg_advisory_unlock(:key)")
    with shop_db.connect() as other_instance:
        other_instance.execute(lock, {"key": idle.SWEEP_LOCK_KEY})
        assert await idle.sweep_unless_busy() is None
        other_instance.execute(unlock, {"key": idle.SWEEP_LOCK_KEY})
    assert await idle.sweep_unless_busy() == {"surveyed": 0, "closed": 0, "announced": 0,
                                              "forwarded": 0}
