"""Fixtures of the privacy tests: the API test database (SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set) from tests/handoff, plus two customers with old, recent and open
conversations and orders."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from store import db
from store.models import Customer, Handoff, HandoffStatus, Message, Note, Role
from store.orders.models import Order, OrderRequest, RequestKind
from tests.handoff.conftest import (  # noqa: F401 (fixtures)
    add_agent,
    add_conversation,
    database_url,
    nov,
    shop_db,
)

# Purges in these tests run "now", with 90 days of retention: cutoff 2027-03-03.
NOW = datetime(2027, 6, 1, tzinfo=timezone.utc)
RETENTION_DAYS = 90
SITI = {"name": "Siti", "email": "siti@example.com", "phone": "+6281234567890",
        "wa_id": "6281234567890"}
BUDI = {"name": "Budi", "email": "budi@example.com", "phone": "+6289876543210",
        "wa_id": "6289876543210"}


def _order(order_id: str, person: dict, address: str) -> Order:
    return Order(order_id=order_id, customer_name=person["name"], email=person["email"],
                 phone=person["phone"], items=[{"name": "Kaos", "qty": 1, "price": 99000}],
                 total=99000, shipping_address=address, placed_at=nov(1, 1))


@pytest.fixture
def two_customers(shop_db) -> dict[str, int]:  # noqa: F811 (the fixture imported above)
    """Siti: two conversations closed in November 2026 (purgeable), one order with a request.
    Budi: one old closed conversation, one closed last month, one still open, one order."""
    rina = add_agent("rina", Role.agent)
    with db.session_scope() as session:
        siti, budi = Customer(**SITI), Customer(**BUDI)
        session.add_all([siti, budi])
        session.flush()
        ids = {"siti": siti.id, "budi": budi.id, "rina": rina.id}
    add_conversation(
        "siti-1", created_at=nov(1), closed_at=nov(1, 5), close_reason="resolved",
        customer_id=ids["siti"],
        messages=[("customer", "Alamat saya Jl. Melati 5, siti@example.com"),
                  ("agent", "Baik, kami ganti alamatnya", rina.id)],
        handoffs=[{"reason": "complaint", "status": HandoffStatus.resolved,
                   "agent_id": rina.id,
                   "assigned_at": nov(1, 4), "first_agent_reply_at": nov(1, 4),
                   "resolved_at": nov(1, 5)}],
        surveys=[{"score": 4, "comment": "Agent Rina was kind, call me at 0812"}])
    add_conversation("siti-2", created_at=nov(2), closed_at=nov(2, 4), close_reason="goodbye",
                     customer_id=ids["siti"],
                     messages=[("customer", "Where is ORD-100001?"), ("bot", "On its way")])
    add_conversation("budi-old", created_at=nov(3), closed_at=nov(3, 4), close_reason="idle",
                     customer_id=ids["budi"], messages=[("customer", "Budi's old question")],
                     surveys=[{"score": 7, "comment": "Budi's old comment"}])
    add_conversation("budi-recent", created_at=datetime(2027, 5, 20, tzinfo=timezone.utc),
                     closed_at=datetime(2027, 5, 20, 1, tzinfo=timezone.utc),
                     close_reason="goodbye", customer_id=ids["budi"],
                     messages=[("customer", "Budi's recent question")],
                     surveys=[{"score": 5, "comment": "Budi's recent comment"}])
    add_conversation("budi-open", created_at=datetime(2027, 5, 31, tzinfo=timezone.utc),
                     customer_id=ids["budi"], messages=[("customer", "Budi is still here")])
    with db.session_scope() as session:
        handoff = session.execute(
            select(Handoff).where(Handoff.conversation_id == "siti-1")).scalar_one()
        handoff.summary = "Siti wants a new address"
        handoff.context = {"transcript": [{"text": "Jl. Melati 5"}]}
        session.add(Note(handoff_id=handoff.id, agent_id=rina.id,
                         text="Siti's new address: Jl. Melati 5"))
        bot_reply = session.execute(select(Message).where(
            Message.conversation_id == "siti-2", Message.seq == 2)).scalar_one()
        bot_reply.buttons = [{"title": "Track", "payload": "/track"}]
        session.add_all([_order("ORD-100001", SITI, "Jl. Melati 5, Bandung"),
                         _order("ORD-200002", BUDI, "Jl. Mawar 9, Surabaya")])
        session.flush()
        session.add_all([
            OrderRequest(order_id="ORD-100001", kind=RequestKind.change_address,
                         details="Jl. Melati 5, Bandung", conversation_id="siti-1"),
            OrderRequest(order_id="ORD-200002", kind=RequestKind.cancel,
                         conversation_id="budi-recent")])
    return ids
