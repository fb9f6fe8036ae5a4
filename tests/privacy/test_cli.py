"""`python -m handoff.ops.privacy` as an operator runs it: exit codes, messages, audit events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from store import audit, db
from store.migrate import load_all_models, upgrade_to_head
from store.models import Conversation, Customer, Message, Sender

ROOT = Path(__file__).resolve().parents[2]
OLD = datetime(2026, 1, 5, tzinfo=timezone.utc)


@pytest.fixture
def database(tmp_path) -> str:
    """A temporary SQLite file with Siti and one conversation closed long ago."""
    load_all_models()
    url = f"sqlite:///{tmp_path}/shop.db"
    engine = db.make_engine(url)
    upgrade_to_head(engine)
    with db.session_scope(engine) as session:
        siti = Customer(name="Siti", email="siti@example.com", phone="+6281234567890")
        session.add(siti)
        session.flush()
        session.add(Conversation(id="old-1", customer_id=siti.id, created_at=OLD,
                                 closed_at=OLD, close_reason="goodbye", next_seq=2))
        session.flush()
        session.add(Message(conversation_id="old-1", seq=1, sender=Sender.customer,
                            text="Alamat saya Jl. Melati 5", created_at=OLD))
    engine.dispose()
    return url


def privacy(database: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database}
    return subprocess.run([sys.executable, "-m", "handoff.ops.privacy", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _rows(database: str, model) -> list:  # noqa: ANN001 (any mapped class)
    engine = db.make_engine(database)
    try:
        with db.session_scope(engine) as session:
            rows = session.execute(select(model)).scalars().all()
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def test_purge_runs_once_then_has_nothing_to_do(database):
    dry = privacy(database, "purge", "--older-than-days", "30", "--dry-run")
    assert dry.returncode == 0 and "Would purge 1 conversation(s)" in dry.stdout
    assert _rows(database, Message)[0].text == "Alamat saya Jl. Melati 5"
    assert _rows(database, audit.AuditEvent) == []
    first = privacy(database, "purge", "--older-than-days", "30")
    assert first.returncode == 0 and "Purged 1 conversation(s)" in first.stdout, first.stderr
    assert _rows(database, Message)[0].text == "[removed]"
    second = privacy(database, "purge", "--older-than-days", "30")
    assert second.returncode == 0 and "Nothing to purge" in second.stdout
    [event] = _rows(database, audit.AuditEvent)
    assert (event.action, event.username, event.agent_id) == (audit.PURGE, "cli", None)


def test_export_writes_the_file_and_is_audited(database, tmp_path):
    out = tmp_path / "siti.json"
    result = privacy(database, "customer", "--phone", "0812-3456-7890", "--export", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["conversations"][0]["messages"][0]["text"] == "Alamat saya Jl. Melati 5"
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only
    [event] = _rows(database, audit.AuditEvent)
    assert (event.action, event.username) == (audit.CUSTOMER_EXPORT, "cli")


def test_unknown_customer_exits_1_with_a_clear_message(database):
    result = privacy(database, "customer", "--email", "nobody@example.com", "--export", "-")
    assert result.returncode == 1
    assert "no customer with that email" in result.stderr
    assert _rows(database, audit.AuditEvent) == []


def test_delete_needs_yes(database):
    refused = privacy(database, "customer", "--email", "siti@example.com", "--delete")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert len(_rows(database, Customer)) == 1
    done = privacy(database, "customer", "--email", "siti@example.com", "--delete", "--yes")
    assert done.returncode == 0 and "Deleted customer" in done.stdout, done.stderr
    assert _rows(database, Customer) == [] and _rows(database, Message) == []
    [event] = _rows(database, audit.AuditEvent)
    assert (event.action, event.username) == (audit.CUSTOMER_DELETE, "cli")
