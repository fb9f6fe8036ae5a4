"""Engine and sessions. One engine per process, created lazily (nothing runs at import)."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Enum, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from handoff.config import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # A pool of open connections: SQLAlchemy 1.4 opens a new SQLite connection per
        # session otherwise (NullPool), paying for the file open and PRAGMAs each time.
        # An in-memory database lives in one connection, so that one is shared.
        engine = create_engine(
            url, future=True, poolclass=StaticPool if ":memory:" in url or url == "sqlite://"
            else QueuePool,
            connect_args={"check_same_thread": False, "timeout": 30},
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


from sqlalchemy.orm import declarative_base  # noqa: E402

# One declarative base for every table in the shop database (handoff and order store),
# so one set of migrations covers them all.
Base = declarative_base()


def string_enum(cls: type[enum.Enum]) -> Enum:
    """An enum column stored as a plain string, so PostgreSQL and SQLite hold the same data."""
    return Enum(cls, native_enum=False, length=16, validate_strings=True)
