"""No lost replies: a gateway that dies in the middle of a bot turn leaves the customer's
message awaiting its reply; a surviving instance finishes the turn, answering it once
(handoff/conversations/awaiting_reply.py)."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import timedelta

import httpx
from sqlalchemy import select

from handoff.conversations import flow
from handoff.conversations.rasa_client import CHANNEL, RasaToken
from scripts.widget_client import Widget
from store.db import session_scope
from store.models import Conversation, Message, Sender, utcnow
from store.transcript import append_message
from tests.production.conftest import back_again, kill

TAKE_OVER_TIMEOUT = 90  # lease (20 s) + turn lock (15 s) + sweeps, with room to spare


def tracker_turns(production, conversation_id: str) -> Counter:
    tracker = httpx.get(f"{production.rasa_url}/conversations/{conversation_id}/tracker",
                        timeout=30, auth=RasaToken()).json()
    return Counter(e.get("message_id") for e in tracker["events"] if e["event"] == "user")


def transcript(conversation_id: str) -> list[Message]:
    with session_scope() as session:
        return session.execute(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq)).scalars().all()


async def bot_replies_after(conversation_id: str, seq: int) -> list[Message]:
    """The bot's replies to message `seq` once its turn is over (waits for that)."""
    for _ in range(TAKE_OVER_TIMEOUT * 2):
        stored = transcript(conversation_id)
        message = next(m for m in stored if m.seq == seq)
        if message.reply_pending_until is None:
            return [m for m in stored if m.seq > seq and m.sender == Sender.bot]
        await asyncio.sleep(0.5)
    raise AssertionError(f"message {seq} of {conversation_id} still awaits its reply")


def written_by_a_gateway_that_died(widget: Widget, text: str, lease_left: float = 0) -> int:
    """The widget's first message, stored and sent to the bot by a gateway that is gone:
    its lease lapses in `lease_left` seconds. Returns its seq."""
    conversation_id = widget.conversation_id
    with session_scope() as session:
        flow._store_prepared(session, flow.PreparedConversation(conversation_id, widget.token,
                                                                "en"))
        message = append_message(session, conversation_id, Sender.customer, text)
        message.reply_pending_until = utcnow() + timedelta(seconds=lease_left)
        return message.seq


async def test_a_message_rasa_never_saw_is_sent_to_the_bot_again(production):
    widget = await Widget.open(production.gateway_url, locale="en-US")
    try:
        seq = written_by_a_gateway_that_died(widget, "how long does shipping to Medan take?")
        replies = await bot_replies_after(widget.conversation_id, seq)
        assert replies, "the bot never answered"
        assert (await widget.bot_says(timeout=30))["seq"] == replies[0].seq  # live, too
    finally:
        await widget.close()
    assert tracker_turns(production, widget.conversation_id) == {
        f"{widget.conversation_id}-{seq}": 1}


async def test_a_message_rasa_answered_is_read_back_from_its_tracker_not_sent_again(
        production):
    widget = await Widget.open(production.gateway_url, locale="en-US")
    text = "how much is shipping to Bali?"
    try:
        # What the dead gateway did before it died, its lease still running: Rasa
        # answered, nobody stored it.
        seq = written_by_a_gateway_that_died(widget, text, lease_left=10)
        async with httpx.AsyncClient(auth=RasaToken(), timeout=60) as rasa:
            answer = (await rasa.post(
                f"{production.rasa_url}/webhooks/{CHANNEL}/webhook",
                json={"sender": widget.conversation_id, "message": text,
                      "message_id": f"{widget.conversation_id}-{seq}",
                      "metadata": {"channel": "web", "locale": "en"}})).json()
        replies = await bot_replies_after(widget.conversation_id, seq)
    finally:
        await widget.close()
    assert [r.text for r in replies] == [m.get("text") for m in answer["messages"]]
    assert tracker_turns(production, widget.conversation_id) == {
        f"{widget.conversation_id}-{seq}": 1}


async def test_a_gateway_killed_mid_turn_leaves_nothing_unanswered_or_doubled(production):
    gateway = production.service("gateway 1")
    rasa = [production.service(f"Rasa server {k}") for k in (1, 2)]
    customer = await Widget.open(production.instance_url(0), locale="id-ID")  # on gateway 1
    other_tab = await Widget.resume(production.instance_url(1), customer.conversation_id,
                                    customer.token)  # the same chat, on gateway 2
    text = "kak, retur barang caranya gimana ya?"
    try:
        for server in rasa:  # slow Rasa: the turn is surely in flight when the gateway dies
            kill(server, signal.SIGSTOP)
        await customer.say(text)
        echo = await other_tab.next_frame("message", sender="customer", text=text)
        await asyncio.sleep(1)
        killed = kill(gateway)
        for server in rasa:
            kill(server, signal.SIGCONT)
        reply = await other_tab.bot_says(timeout=TAKE_OVER_TIMEOUT)
        back_again(gateway, killed)
        await asyncio.sleep(3)  # a second answer, if there were one, would be stored by now
    finally:
        for server in rasa:
            kill(server, signal.SIGCONT)
        await other_tab.close()

    stored = transcript(customer.conversation_id)
    assert [m.seq for m in stored if m.sender == Sender.customer] == [echo["seq"]]
    assert reply["seq"] > echo["seq"]
    assert all(m.reply_pending_until is None for m in stored)
    with session_scope() as session:
        assert session.get(Conversation, customer.conversation_id).closed_at is None
    assert tracker_turns(production, customer.conversation_id) == {
        f"{customer.conversation_id}-{echo['seq']}": 1}
    # One turn's replies, stored once: the same texts do not appear twice.
    bot_texts = [m.text for m in stored if m.sender == Sender.bot]
    assert len(bot_texts) == len(set(bot_texts)) > 0, bot_texts
