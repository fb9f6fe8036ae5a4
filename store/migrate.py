"""Brings the database schema to the latest Alembic revision (the run command calls this).

Safe to call every start: at head it does nothing. A database made earlier with
`metadata.create_all` (no alembic_version table, tables present) is stamped with the
initial revision first, then upgraded, instead of failing on "table already exists".
Safe when several instances start at once: one migrates while the others wait for it
(a PostgreSQL advisory lock, a file lock beside an SQLite file), then find it at head.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from store.db import get_engine
from store.private_files import private_file

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
INITIAL_REVISION = "0001"
MIGRATION_LOCK_KEY = 7_305_112  # any constant; the advisory lock is shared by every instance


def load_all_models() -> None:
    """Import every module that defines tables, so Base.metadata is complete."""
    from store import audit, models, throttle  # noqa: F401
    from store.orders import models as order_models  # noqa: F401


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False  # keep the application's logging
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_head(engine: Engine | None = None) -> str:
    """Migrate the shop database to head; returns the revision it is at afterwards."""
    engine = engine or get_engine()
    with _one_at_a_time(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends: the next instance sees the finished schema.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(connection)
        if current_revision(connection) is None and inspect(connection).has_table("agents"):
            command.stamp(config, INITIAL_REVISION)
        command.upgrade(config, "head")
        return current_revision(connection) or ""


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[None]:
    """For an SQLite file, an exclusive lock on a file beside it (SQLite runs DDL outside
    transactions, so two processes could both try to create the same table)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with private_file(Path(f"{database}.migrate.lock")).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


__all__ = ["ALEMBIC_INI", "alembic_config", "head_revision", "load_all_models",
           "upgrade_to_head"]
