"""Faults the product survives, on the real production layout (tests/production/conftest.py).

Each test leaves every process running again for the next one.
"""

from __future__ import annotations

import asyncio
import json
import signal
import uuid

import httpx
from sqlalchemy import func, select

from handoff.auth.accounts import create_agent
from handoff.conversations.rasa_client import RasaToken
from scripts.widget_client import Widget
from store.db import session_scope
from store.models import Handoff, Message, Role, Sender
from tests.production.conftest import kill, restart, take_down

APOLOGY_ID = "asisten kami sedang bermasalah"


def handoffs_of(conversation_id: str) -> list[tuple[str, dict]]:
    with session_scope() as session:
        rows = session.execute(select(Handoff).where(
            Handoff.conversation_id == conversation_id)).scalars().all()
        return [(h.reason, h.context) for h in rows]


def stored_texts(conversation_id: str) -> list[tuple[str, str]]:
    with session_scope() as session:
        rows = session.execute(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq)).scalars().all()
        return [(m.sender.value, m.text) for m in rows]


async def assert_the_bot_answers(production, locale: str, text: str) -> None:
    """A new conversation after a fault goes to the bot again."""
    fresh = await Widget.open(production.gateway_url, locale=locale)
    try:
        await fresh.say(text)
        assert (await fresh.bot_says())["sender"] == "bot"
    finally:
        await fresh.close()


async def inbox_events(base_url: str, token: str, received: list[dict]) -> None:
    """Follow the agent inbox's server-sent events, appending each event's data."""
    async with httpx.AsyncClient(base_url=base_url, timeout=None) as client:
        async with client.stream("GET", "/api/v1/events", params={"token": token}) as stream:
            name = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    received.append({"event": name, **json.loads(line.removeprefix("data: "))})


async def test_live_updates_reach_customers_and_agents_on_every_instance(production):
    with session_scope() as session:
        create_agent(session, username="sari", display_name="Sari", role=Role.agent,
                     password="sari-password-123")
    login = httpx.post(f"{production.gateway_url}/api/v1/auth/login",
                       json={"username": "sari", "password": "sari-password-123"})
    events: list[dict] = []
    inbox = asyncio.create_task(inbox_events(production.instance_url(1), login.json()["token"],
                                             events))
    customer = await Widget.open(production.instance_url(0), locale="id-ID")
    second_tab = await Widget.resume(production.instance_url(1), customer.conversation_id,
                                     customer.token)
    try:
        await customer.say("halo kak")
        greeting = await customer.bot_says()
        # The same reply, live, on the other instance.
        assert (await second_tab.bot_says())["seq"] == greeting["seq"]

        await customer.say("saya mau bicara dengan CS aja")
        await customer.next_frame("state", state="queued")
        await second_tab.next_frame("state", state="queued")
        for _ in range(100):  # the agent's inbox on instance 2 hears of it
            if any(e["event"] == "handoff" and e["handoff"]["conversation_id"]
                   == customer.conversation_id for e in events):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no handoff event on the other instance: {events}")
    finally:
        inbox.cancel()
        await customer.close()
        await second_tab.close()


async def test_rasa_killed_mid_conversation_queues_the_customer_then_recovers(production):
    rasa = [production.service(f"Rasa server {k}") for k in (1, 2)]
    widget = await Widget.open(production.gateway_url, locale="id-ID")
    try:
        await widget.say("halo kak")
        await widget.bot_says()

        kill(rasa[0])  # one of two gone: the other answers
        await widget.say("cara retur barang gimana min?")
        assert (await widget.bot_says())["sender"] == "bot"

        kill(rasa[1], signal.SIGSTOP)  # frozen, so the next message is surely in flight
        await widget.say("barangnya rusak kak, gimana nih")
        await widget.next_frame("message", sender="customer", text="barangnya rusak kak, "
                                "gimana nih")
        await asyncio.sleep(1)
        kill(rasa[1])
        apology = await widget.next_frame("message", timeout=30, sender="system")
        assert APOLOGY_ID in apology["text"]
        await widget.next_frame("state", state="queued")
    finally:
        await widget.close()
        restart(*rasa, through=f"{production.rasa_url}/status")

    (reason, context), = handoffs_of(widget.conversation_id)
    assert reason == "assistant_unavailable"
    # The agent has the message that was in flight; it is stored once.
    assert "barangnya rusak kak, gimana nih" in [t["text"] for t in context["transcript"]]
    assert stored_texts(widget.conversation_id).count(
        ("customer", "barangnya rusak kak, gimana nih")) == 1

    await assert_the_bot_answers(production, "en-US", "hi, how long does shipping take?")


async def test_action_server_down_queues_the_customer_without_a_stack_trace(production):
    actions = [production.service(f"action server {k}") for k in (1, 2)]
    take_down(*actions)  # killed, supervisord would have them back in seconds
    widget = await Widget.open(production.gateway_url, locale="en-US")
    try:
        await widget.say("hello, where is my order ORD-100001?")
        apology = await widget.next_frame("message", timeout=60, sender="system")
        assert "assistant is having trouble" in apology["text"]
        await widget.next_frame("state", state="queued")
    finally:
        await widget.close()
        restart(*actions, through=f"{production.env['ACTION_ENDPOINT_URL']}".replace(
            "/webhook", "/health"))

    (reason, context), = handoffs_of(widget.conversation_id)
    assert reason == "assistant_unavailable" and "action server" in context["summary"]
    for _, message_text in stored_texts(widget.conversation_id):
        assert "Traceback" not in message_text and "Exception" not in message_text

    await assert_the_bot_answers(production, "id-ID", "halo min")


async def test_one_message_delivered_twice_to_two_instances_is_stored_and_answered_once(
        production):
    first = await Widget.open(production.instance_url(0), locale="id-ID")
    second = await Widget.resume(production.instance_url(1), first.conversation_id, first.token)
    frame = {"type": "message", "text": "ongkir ke Surabaya berapa kak?",
             "client_message_id": uuid.uuid4().hex}
    try:
        await asyncio.gather(first.send_frame(frame), second.send_frame(frame))
        await first.bot_says()
        await asyncio.sleep(3)  # a second answer, if there were one, would be stored by now
    finally:
        await first.close()
        await second.close()

    with session_scope() as session:
        copies = session.execute(select(Message.seq).where(
            Message.conversation_id == first.conversation_id,
            Message.client_message_id == frame["client_message_id"])).scalars().all()
        customer_messages = session.execute(select(func.count()).where(
            Message.conversation_id == first.conversation_id,
            Message.sender == Sender.customer)).scalar()
    assert len(copies) == 1 and customer_messages == 1
    tracker = httpx.get(f"{production.rasa_url}/conversations/{first.conversation_id}/tracker",
                        timeout=30, auth=RasaToken()).json()
    user_turns = [e for e in tracker["events"] if e["event"] == "user"]
    assert [e.get("message_id") for e in user_turns] == [
        f"{first.conversation_id}-{copies[0]}"]
