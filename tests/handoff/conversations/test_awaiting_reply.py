"""The awaiting-reply marker and its lease (store.pending_replies), on SQLite and
PostgreSQL; the take-over itself runs on the real layout in tests/production."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from handoff.conversations import rasa_client
from store import pending_replies
from store.conversations import ensure_conversation
from store.db import session_scope
from store.models import Message, Sender, utcnow
from store.transcript import append_message
from tests.handoff.conversations.test_flow import receive_until, start


def pending(conversation_id: str, seconds_left: float) -> int:
    with session_scope() as session:
        ensure_conversation(session, conversation_id, language="id")
        message = append_message(session, conversation_id, Sender.customer, "halo")
        message.reply_pending_until = utcnow() + timedelta(seconds=seconds_left)
        return message.id


def test_a_message_awaits_the_bot_while_its_turn_runs_and_no_longer_after(client,
                                                                         monkeypatch):
    seen_during_turn = []

    async def bot_answers(conversation_id: str, *_args) -> rasa_client.BotTurn:
        with session_scope() as session:
            message = session.execute(select(Message).where(
                Message.conversation_id == conversation_id)).scalar_one()
            seen_during_turn.append(message.reply_pending_until)
        return rasa_client.BotTurn(messages=[{"text": "Halo Kak!"}])

    monkeypatch.setattr(rasa_client, "send_to_bot", bot_answers)
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json({"type": "message", "text": "halo"})
        receive_until(ws, "message")  # the echo
        assert receive_until(ws, "message")["text"] == "Halo Kak!"
    with session_scope() as session:
        marks = session.execute(select(Message.reply_pending_until).where(
            Message.conversation_id == conversation["conversation_id"])).scalars().all()
    assert seen_during_turn[0] is not None  # held by this gateway during the turn
    assert marks == [None, None]  # the customer's message and the reply: nothing awaits


def test_the_apology_ends_the_turn_too(client):
    with client.websocket_connect("/ws/chat") as ws:  # RASA_URL: nothing listens
        conversation = start(ws)
        ws.send_json({"type": "message", "text": "halo"})
        receive_until(ws, "message")
        assert receive_until(ws, "message")["sender"] == "system"
    with session_scope() as session:
        assert session.execute(select(Message.id).where(
            Message.conversation_id == conversation["conversation_id"],
            Message.reply_pending_until.is_not(None))).all() == []


def test_only_lapsed_leases_are_claimed_and_a_claim_holds_them(shop_db):
    lapsed = pending("c-lapsed", -1)
    pending("c-held", 60)  # its gateway is alive and renewing
    with session_scope() as session:
        answered = append_message(session, "c-held", Sender.customer, "done")
        pending_replies.clear(session, answered.id)
    with session_scope() as session:
        assert [m.id for m in pending_replies.claim_lapsed(session)] == [lapsed]
    with session_scope() as session:  # now leased to the claimer
        assert pending_replies.claim_lapsed(session) == []
    with session_scope() as session:
        later = utcnow() + pending_replies.LEASE + timedelta(seconds=1)
        assert [m.id for m in pending_replies.claim_lapsed(session, now=later)] == [lapsed]


def test_instances_sweeping_at_once_each_claim_different_messages(shop_db):
    messages = {pending(f"c-{k}", -1) for k in range(12)}

    def sweep(_: int) -> list[int]:
        with session_scope() as session:
            return [m.id for m in pending_replies.claim_lapsed(session, limit=12)]

    with ThreadPoolExecutor(4) as pool:
        claimed = [message for found in pool.map(sweep, range(4)) for message in found]
    assert sorted(claimed) == sorted(messages)  # every one, and none twice
