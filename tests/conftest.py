"""Shared fixtures: a real SQLite shop database per test, and Rasa trackers built from dicts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from store import db, settings


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process; each test reads its own environment afresh."""
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


@pytest.fixture(autouse=True)
def quick_rasa_retries(monkeypatch) -> None:
    """In-process gateways try a down Rasa again at once (the pauses are for real outages)."""
    from handoff.conversations import rasa_client

    monkeypatch.setattr(rasa_client, "RETRY_PAUSES_SECONDS", (0.01, 0.01))


@pytest.fixture
def attachment_dir(tmp_path, monkeypatch) -> Iterator:
    """Attachment files of this test in a folder of its own (ATTACHMENT_DIR)."""
    from store.attachment_storage import attachment_storage

    folder = tmp_path / "attachments"
    monkeypatch.setenv("ATTACHMENT_DIR", str(folder))
    settings.get_settings.cache_clear()
    attachment_storage.cache_clear()
    yield folder
    attachment_storage.cache_clear()


@pytest.fixture
def database(tmp_path, monkeypatch) -> Iterator[Engine]:
    """A fresh SQLite database at DATABASE_URL with every table and the demo orders."""
    from store import models  # noqa: F401
    from store.orders import models as order_models  # noqa: F401  (registers tables)
    from store.orders.seed import seed_demo_orders

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/shop.db")
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = db.get_engine()
    db.Base.metadata.create_all(engine)
    with db.session_scope() as session:
        seed_demo_orders(session)
    yield engine
    engine.dispose()
    db.get_engine.cache_clear()
    settings.get_settings.cache_clear()
