"""Traffic through the production layout, with faults in the middle of it.

benchmarks/load.py drives scripted customers (FAQ, order lookups, escalations worked by a
simulated agent, surveys; Indonesian and English) and then accounts for every message in
the database and in Rasa's trackers. The full figures come from `python -m benchmarks.load`.
"""

from __future__ import annotations

import asyncio
import signal

from sqlalchemy import select

from benchmarks.load import LoadReport, run_load
from benchmarks.load_client import ChatClient
from store.db import session_scope
from store.models import Message, Sender
from tests.production.conftest import kill, restart, talk

CONVERSATIONS = 8
DEADLINE_S = 300


async def load(production) -> LoadReport:
    return await run_load(production.gateway_url, production.env["DATABASE_URL"],
                          production.rasa_url, CONVERSATIONS, DEADLINE_S)


def assert_nothing_lost_or_doubled(report: LoadReport) -> None:
    books = report.accounting
    assert books.sent > CONVERSATIONS, report.to_json()
    assert books.acknowledged == books.sent == books.stored_once, books.problems
    assert books.duplicates == books.lost == books.unexpected == 0, books.problems
    assert report.live_duplicates == report.missing_seqs == 0, report.to_json()
    assert books.rasa_processed_repeatedly == 0, books.problems


async def test_a_short_load_run_accounts_for_every_message(production):
    report = await load(production)
    assert_nothing_lost_or_doubled(report)
    assert report.accounting_ok, report.accounting.problems  # and Rasa saw each once
    assert report.outcomes.get("completed") == CONVERSATIONS, report.failed_runs


async def test_gateway_restart_widgets_resume_on_the_other_instance(production):
    # The load balancer deals new connections out in turn: some land on each gateway.
    customers = [ChatClient(production.gateway_url, locale=locale)
                 for locale in ("id-ID", "en-US") * 3]
    await asyncio.gather(*(c.start() for c in customers))
    try:
        await talk(customers, ["halo kak", "hi there"])
        gateway = production.service("gateway 1")
        kill(gateway, signal.SIGTERM)  # a deploy: finishes what it started, then exits
        # Written while their gateway is gone: sent once they are back, on the other one.
        await talk(customers, ["ongkirnya berapa ya?", "how much is shipping?"])
        restart(gateway, through=f"{production.gateway_url}/healthz")
        await talk(customers, ["makasih kak", "thanks!"])
    finally:
        await asyncio.gather(*(c.close() for c in customers))

    assert sum(c.reconnects for c in customers) > 0, "no widget was on the restarted gateway"
    for customer in customers:
        assert customer.unacknowledged() == [] and customer.duplicates == 0
        assert customer.missing_seqs() == []
    with session_scope() as session:
        for customer in customers:
            stored = session.execute(select(Message.client_message_id).where(
                Message.conversation_id == customer.conversation_id,
                Message.sender == Sender.customer)).scalars().all()
            assert sorted(stored) == sorted(customer.sent), customer.conversation_id
