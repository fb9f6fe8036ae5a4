"""Engine and sessions. One engine per process, created lazily (nothing runs at import)."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from prometheus_client import Counter
from sqlalchemy import Enum, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from store.private_files import private_file
from store.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Scraped from the gateways' /metrics (handoff.monitoring): a database that keeps failing.
DATABASE_RETRIES = Counter("shop_database_retries_total", "Database operations tried again "
                           "because the database was unreachable or busy")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            # Customer data: the file (and so its -wal/-shm, which SQLite creates with the
            # file's mode) is the owner's only.
            private_file(Path(url.removeprefix("sqlite:///")))
        # A pool of open connections: SQLAlchemy 1.4 opens a new SQLite connection per
        # session otherwise (NullPool), paying for the file open and PRAGMAs each time.
        # An in-memory database lives in one connection, so that one is shared.
        # `timeout` is SQLite's busy timeout: a write that finds another connection writing
        # waits for it, retrying with SQLite's own growing pauses, up to SQLITE_BUSY_SECONDS;
        # then "database is locked" (retried as a whole by with_db_retry, else a 503).
        engine = create_engine(
            url, future=True, poolclass=StaticPool if ":memory:" in url or url == "sqlite://"
            else QueuePool,
            connect_args={"check_same_thread": False,
                          "timeout": get_settings().sqlite_busy_seconds},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DBAPI objects)
    cursor = dbapi_connection.cursor()
    # WAL lets the gateway read while the action server writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL stays consistent after a crash and skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker:
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_transient(error: BaseException) -> bool:
    """The database could not be reached, was busy ("database is locked") or had no free
    connection: trying again later may work."""
    return isinstance(error, (OperationalError, PoolTimeout)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated)


async def with_db_retry(work: Callable[[], T], *, seconds: float = 20.0) -> T:
    """Run a unit of work (its own session_scope), again while the database is restarting.

    For what cannot be asked for again (the bot's replies, already spoken): each attempt
    runs in a fresh transaction, so a failed one left nothing behind. The work runs in a
    worker thread, so a database that waits on a lock never stalls the event loop.
    """
    pause, waited = 0.25, 0.0
    while True:
        try:
            return await asyncio.to_thread(work)
        except Exception as error:
            if not is_transient(error) or waited >= seconds:
                raise
            logger.warning("Database unavailable (%s); retrying in %.1f s",
                           type(error).__name__, pause)
            DATABASE_RETRIES.inc()
        await asyncio.sleep(pause)
        waited += pause
        pause = min(pause * 2, 2.0)


# A request's unit of work is tried again for this long (a few attempts), then answered 503.
REQUEST_RETRY_SECONDS = 1.0


async def in_session(work: Callable[[Session], T], *,
                     seconds: float = REQUEST_RETRY_SECONDS) -> T:
    """`work(session)` as one unit of work in a worker thread, never on the event loop.

    Committed when it returns; tried again in a fresh transaction while the database is
    busy or restarting (with_db_retry), so `work` must only touch the database.
    """
    def unit() -> T:
        with session_scope() as session:
            return work(session)

    return await with_db_retry(unit, seconds=seconds)


from sqlalchemy.orm import declarative_base  # noqa: E402

# One declarative base for every table in the shop database (handoff and order store),
# so one set of migrations covers them all.
Base = declarative_base()


def string_enum(cls: type[enum.Enum]) -> Enum:
    """An enum column stored as a plain string, so PostgreSQL and SQLite hold the same data."""
    return Enum(cls, native_enum=False, length=16, validate_strings=True)
