"""Fixtures of the inbox/ops API tests: a migrated database on SQLite, and on PostgreSQL too
when TEST_POSTGRES_URL is set (one fresh schema per test module, dropped afterwards)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from handoff.auth.credentials import hash_password, issue_token
from handoff.conversations import rasa_client
from nlu.callback_signature import signed_headers
from store import db, settings
from store.conversations import create_handoff, ensure_conversation
from store.migrate import load_all_models, upgrade_to_head
from store.models import (
    Agent,
    Conversation,
    Customer,
    Handoff,
    HandoffStatus,
    Message,
    Role,
    Sender,
    SurveyAnswer,
    utcnow,
)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])
PASSWORD = "correct horse battery"
CALLBACK_SECRET = "callback-secret-of-the-handoff-tests"


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database migrated to head, shared by one test module; rows are cleared per test."""
    load_all_models()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db')}/shop.db"
        engine = db.make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        yield url
        return
    with postgres_schema("test") as url:
        engine = db.make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        yield url


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema on the test PostgreSQL server; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(os.environ["TEST_POSTGRES_URL"])
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    try:
        yield str(make_url(os.environ["TEST_POSTGRES_URL"]).update_query_dict(
            {"options": f"-csearch_path={schema}"}))
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture
def shop_db(database_url, monkeypatch) -> Iterator[Engine]:
    """DATABASE_URL points at the module's database; every table is emptied afterwards."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: fail fast
    monkeypatch.setenv("CALLBACK_SECRET", CALLBACK_SECRET)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = db.get_engine()
    yield engine
    with engine.begin() as connection:
        for table in reversed(db.Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
    db.get_engine.cache_clear()
    settings.get_settings.cache_clear()


@pytest.fixture
def surveys(monkeypatch) -> list[tuple[str, str]]:
    """Records the survey the gateway asks Rasa for, instead of calling a Rasa server."""
    asked: list[tuple[str, str]] = []

    async def resume_with_survey(conversation_id: str, trigger: str) -> None:
        asked.append((conversation_id, trigger))

    monkeypatch.setattr(rasa_client, "resume_with_survey", resume_with_survey)
    return asked


@pytest.fixture
def client(shop_db, surveys) -> Iterator[TestClient]:
    from handoff.app import create_app

    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client


def post_callback(client: TestClient, reply: dict[str, Any]) -> Response:
    """What Rasa's gateway channel posts: the reply, signed with CALLBACK_SECRET."""
    body = json.dumps(reply).encode()
    return client.post("/rasa/callback", content=body, headers={
        "Content-Type": "application/json", **signed_headers(CALLBACK_SECRET, body)})


@dataclass(frozen=True)
class Login:
    id: int
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_agent(username: str, role: Role = Role.agent, *, name: str | None = None,
              password: str = PASSWORD) -> Login:
    with db.session_scope() as session:
        agent = Agent(username=username, display_name=name or username.title(), role=role,
                      password_hash=hash_password(password))
        session.add(agent)
        session.flush()
        token = issue_token(session, agent).token
        return Login(agent.id, username, token)


@pytest.fixture
def rina(shop_db) -> Login:
    return add_agent("rina", Role.agent)


@pytest.fixture
def budi(shop_db) -> Login:
    return add_agent("budi", Role.agent)


@pytest.fixture
def ops(shop_db) -> Login:
    return add_agent("olivia", Role.ops)


def add_handoff(
    conversation_id: str = "conv-1",
    *,
    reason: str = "complaint",
    customer_text: str = "Paket saya belum sampai, email saya siti@example.com",
    created_at: datetime | None = None,
    priority: int | None = None,
    customer: dict | None = None,
    announced: bool = True,
) -> int:
    """A conversation with one customer message and a queued handoff; returns the id.

    Announced by default, as after the bot's turn: only then do agents see and claim it.
    """
    with db.session_scope() as session:
        conversation = ensure_conversation(session, conversation_id, language="id")
        if customer:
            conversation.customer = Customer(**customer)
        if created_at:
            conversation.created_at = created_at
        session.add(Message(conversation_id=conversation_id, seq=1, sender=Sender.customer,
                            text=customer_text, created_at=created_at or utcnow()))
        conversation.next_seq = 2
        handoff = create_handoff(
            session, conversation_id=conversation_id, reason=reason,
            summary=f"Customer wrote: {customer_text}", priority=priority,
            context={"reason": reason, "transcript": [{"sender": "customer",
                                                       "text": customer_text}]})
        if created_at:
            handoff.created_at = created_at + timedelta(seconds=1)
        if announced:  # the bot's turn ended; the gateway told the customer and the inbox
            handoff.announced_at = utcnow()
        session.flush()
        return handoff.id


def add_conversation(
    conversation_id: str,
    *,
    created_at: datetime,
    channel: str = "web",
    language: str = "id",
    closed_at: datetime | None = None,
    close_reason: str | None = None,
    customer_id: int | None = None,
    messages: list[tuple[str, str]] | list[tuple[str, str, int]] = (),
    handoffs: list[dict] = (),
    surveys: list[dict] = (),
) -> None:
    """A stored conversation exactly as described (times in UTC), for metrics and search."""
    with db.session_scope() as session:
        session.add(Conversation(id=conversation_id, channel=channel, language=language,
                                 created_at=created_at, closed_at=closed_at,
                                 close_reason=close_reason, customer_id=customer_id,
                                 next_seq=len(messages) + 1))
        session.flush()
        for seq, (sender, text, *agent) in enumerate(messages, start=1):
            session.add(Message(conversation_id=conversation_id, seq=seq, sender=Sender(sender),
                                text=text, agent_id=agent[0] if agent else None,
                                created_at=created_at + timedelta(seconds=seq)))
        for handoff in handoffs:  # announced: the bot's turn that created it ended
            session.add(Handoff(conversation_id=conversation_id, summary="", context={},
                                **{"created_at": created_at, "announced_at": created_at,
                                   **handoff}))
        for survey in surveys:
            session.add(SurveyAnswer(conversation_id=conversation_id, channel=channel,
                                     trigger="goodbye", asked_at=created_at, **survey))


def nov(day: int, hour: int = 3) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def people(shop_db) -> dict[str, Login]:
    """An agent (rina) and an ops user."""
    return {"rina": add_agent("rina", Role.agent), "ops": add_agent("olivia", Role.ops)}


@pytest.fixture
def three_conversations(people) -> None:
    """a1 bot-resolved (web, id), a2 human-resolved (wa, en), a3 queued (web, en)."""
    rina = people["rina"].id
    with db.session_scope() as session:
        session.add(Customer(id=7, name="Siti", email="siti@example.com",
                             phone="+6281234567890"))
    add_conversation("a1", created_at=nov(1), closed_at=nov(1, 4), close_reason="goodbye",
                     customer_id=7,
                     messages=[("customer", "Where is my order? 50% off promo"),
                               ("bot", "Your order is on its way.")],
                     surveys=[{"score": 6, "comment": "=HYPERLINK(\"http://x\")"}])
    add_conversation("a2", created_at=nov(2), channel="whatsapp", language="en",
                     closed_at=nov(2, 5), close_reason="resolved", customer_id=7,
                     messages=[("customer", "Refund please, my email is siti@example.com"),
                               ("agent", "Sure, refund on the way", rina)],
                     handoffs=[{"reason": "complaint", "status": HandoffStatus.resolved,
                                "agent_id": rina, "assigned_at": nov(2, 4),
                                "resolved_at": nov(2, 5)}],
                     surveys=[{"score": 2, "human_involved": True, "agent_id": rina}])
    add_conversation("a3", created_at=nov(3), language="en",
                     messages=[("customer", "I bought 500 items, call 0812-3456-7890")],
                     handoffs=[{"reason": "order_delayed", "status": HandoffStatus.queued}])


def stored(model, **where):  # noqa: ANN001, ANN201 (any mapped class)
    """Rows of `model` matching `where`, read in a fresh session."""
    from sqlalchemy import select

    with db.session_scope() as session:
        rows = session.execute(select(model).filter_by(**where)).scalars().all()
        session.expunge_all()
        return rows


__all__ = ["BACKENDS", "PASSWORD", "Handoff", "Login", "add_agent", "add_conversation",
           "add_handoff", "stored"]
