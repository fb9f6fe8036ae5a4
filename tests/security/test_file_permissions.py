"""What the system creates for itself is the owner's only: the SQLite databases (with their
-wal/-shm files), the folders they are in, the migration lock and the process logs are
0600 files in 0700 folders even under a permissive umask; the start scripts set umask 077
for what other programs (Rasa, PostgreSQL, Redis, nginx) create."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from scripts.processes import Service
from store import db, settings
from store.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """As if started by hand from a shell with the usual umask 022."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_and_its_folder_are_owner_only(tmp_path, monkeypatch,
                                                             permissive_umask):
    folder = tmp_path / "var" / "state"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder}/shop.db")
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        upgrade_to_head()  # the migration lock file, then every table
        with db.get_engine().begin() as connection:  # WAL: -wal and -shm appear
            connection.execute(text("SELECT count(*) FROM conversations"))
            created = sorted(folder.iterdir())
            assert {path.name for path in created} >= {"shop.db", "shop.db-wal", "shop.db-shm",
                                                       "shop.db.migrate.lock"}
            assert {path.name: mode(path) for path in created} == {
                path.name: 0o600 for path in created}
    finally:
        db.get_engine().dispose()
        db.get_engine.cache_clear()
    assert mode(folder) == mode(folder.parent) == 0o700


def test_process_logs_are_owner_only(tmp_path, permissive_umask):
    service = Service("echo", [sys.executable, "-c", "print('customer said hi')"],
                      "http://127.0.0.1:9/", tmp_path / "logs" / "echo.log")
    service.start()
    service.process.wait(timeout=30)
    assert service.log.read_text() == "customer said hi\n"
    assert mode(service.log) == 0o600 and mode(service.log.parent) == 0o700


def test_the_start_scripts_set_an_owner_only_umask(tmp_path):
    state = tmp_path / "var"
    result = subprocess.run(
        ["bash", "-c", "umask 022; source scripts/env.sh; umask; touch \"$SHOP_VAR_DIR/x\""],
        cwd=ROOT, env={**os.environ, "SHOP_VAR_DIR": str(state)}, capture_output=True,
        text=True, check=True)
    assert result.stdout.strip() == "0077"
    assert mode(state) == 0o700 and mode(state / "x") == 0o600
    assert "umask 077" in (ROOT / "scripts" / "start-production").read_text()
