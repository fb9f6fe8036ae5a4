"""Supervision: a process killed hard (as an out-of-memory kill would) is started again by
supervisord, and the others keep serving meanwhile (scripts/supervision.py)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlalchemy import select

from benchmarks.load_client import ChatClient
from handoff.conversations.rasa_client import RasaToken
from store.db import session_scope
from store.models import Message, Sender
from tests.production.conftest import back_again, kill, talk
from tests.production.test_faults import assert_the_bot_answers

# One of each kind; the other instance of each kind keeps serving while it is down.
KILLED = ("Rasa server 1", "action server 2", "gateway 1")


async def test_each_kind_of_process_killed_hard_comes_back_while_customers_chat(production):
    customers = [ChatClient(production.gateway_url, locale=locale)
                 for locale in ("id-ID", "en-US") * 2]
    await asyncio.gather(*(c.start() for c in customers))
    try:
        await talk(customers, ["halo kak", "hi there"])
        for name in KILLED:
            service = production.service(name)
            pid = kill(service)
            # Open conversations go on and a new one is answered while it is down.
            await talk(customers, ["pesanan ORD-100001 sudah sampai mana?",
                                   "where is my order ORD-100001?"])
            await assert_the_bot_answers(production, "en-US", "how long does shipping take?")
            back_again(service, pid)
            assert production.supervisor.status()[service.program] == "RUNNING"
            await talk(customers, ["ongkir ke Medan berapa?", "how much is shipping?"])
    finally:
        await asyncio.gather(*(c.close() for c in customers))

    assert set(production.supervisor.status().values()) == {"RUNNING"}
    assert sum(c.reconnects for c in customers) > 0, "no customer was on the killed gateway"
    for customer in customers:
        assert customer.unacknowledged() == [] and customer.duplicates == 0
        assert customer.missing_seqs() == []
        assert_stored_and_handled_once(production, customer)


def assert_stored_and_handled_once(production, customer: ChatClient) -> None:
    """Every message the customer sent is stored once and was one Rasa turn, answered."""
    with session_scope() as session:
        stored = session.execute(select(Message).where(
            Message.conversation_id == customer.conversation_id)
            .order_by(Message.seq)).scalars().all()
        customer_messages = [m for m in stored if m.sender == Sender.customer]
        assert sorted(m.client_message_id for m in customer_messages) == sorted(customer.sent)
        assert [m for m in stored if m.reply_pending_until is not None] == []
        senders = [m.sender for m in stored]
    # Each customer message is followed by an answer before the next one.
    for index, sender in enumerate(senders):
        if sender == Sender.customer:
            assert index + 1 < len(senders) and senders[index + 1] != Sender.customer, senders
    tracker = httpx.get(f"{production.rasa_url}/conversations/{customer.conversation_id}"
                        "/tracker", timeout=30, auth=RasaToken()).json()
    handled = Counter(e.get("message_id") for e in tracker["events"] if e["event"] == "user")
    assert handled == Counter(f"{customer.conversation_id}-{m.seq}" for m in customer_messages)
