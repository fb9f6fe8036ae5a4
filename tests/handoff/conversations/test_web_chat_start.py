"""The website chat around its first message: a `start` stores nothing, the first message
or click stores the conversation, the widget learns the conversation's language, and a
message over the limit is refused in the customer's language, never cut."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from handoff.app import create_app
from handoff.texts import customer_text
from scripts.stack import CHAT_LIMITS_LIFTED
from store import settings
from store.db import session_scope
from store.models import Conversation, Message, Sender
from store.transcript import MAX_MESSAGE_CHARS
from tests.handoff.conversations.test_flow import receive_until


@pytest.fixture
def client(database, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # Rasa "down": the apology path
    for name, value in CHAT_LIMITS_LIFTED.items():  # tests/security checks the flood limits
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()
    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client


def conversations_stored() -> int:
    with session_scope() as session:
        return session.execute(select(func.count(Conversation.id))).scalar_one()


def start(ws, locale: str = "en-US") -> dict:
    ws.send_json({"type": "start", "locale": locale})
    conversation = receive_until(ws, "conversation")
    assert receive_until(ws, "state") == {"type": "state", "state": "bot", "agent_name": None,
                                          "wait_minutes": None,
                                          "language": conversation["language"]}
    return conversation


def test_start_frames_store_nothing_until_the_customer_writes(client):
    with client.websocket_connect("/ws/chat") as ws:
        prepared = [start(ws) for _ in range(40)]  # a script, or "new chat" clicked often
        assert conversations_stored() == 0
        assert len({frame["conversation_id"] for frame in prepared}) == 40
        ws.send_json({"type": "button", "title": "Track an order",
                      "payload": "/check_order_status", "client_message_id": "b-1"})
        echo = receive_until(ws, "message")
    assert (echo["seq"], echo["text"]) == (1, "Track an order")
    assert conversations_stored() == 1
    with session_scope() as session:
        conversation = session.get(Conversation, prepared[-1]["conversation_id"])
        assert conversation.channel == "web" and conversation.token_hash
    # The token of the conversation as it was prepared resumes the stored one.
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": prepared[-1]["conversation_id"],
                      "token": prepared[-1]["token"], "after_seq": 0})
        assert receive_until(ws, "conversation")["conversation_id"] == echo["conversation_id"]
        assert receive_until(ws, "message")["client_message_id"] == "b-1"


def test_a_prepared_conversation_is_prepared_again_on_resume_and_stored_once(client):
    """A reconnect (another gateway, a reload) before the first message was acknowledged:
    the re-sent message lands in the same conversation, once."""
    with client.websocket_connect("/ws/chat") as ws:
        prepared = start(ws)
    resume = {"type": "resume", "conversation_id": prepared["conversation_id"],
              "token": prepared["token"], "after_seq": 0, "locale": "id-ID"}
    first = {"type": "message", "text": "halo kak", "client_message_id": "m-1"}
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json(resume)
        assert receive_until(ws, "conversation")["conversation_id"] == prepared[
            "conversation_id"]
        assert receive_until(ws, "state")["state"] == "bot"
        assert conversations_stored() == 0
        ws.send_json(first)
        assert receive_until(ws, "message")["seq"] == 1
    with client.websocket_connect("/ws/chat") as ws:  # the echo got lost: sent once more
        ws.send_json(resume)
        ws.send_json(first)
        replayed = receive_until(ws, "message")
        ws.send_json({"type": "ping"})
        receive_until(ws, "pong")
    assert replayed["client_message_id"] == "m-1"
    assert conversations_stored() == 1
    with session_scope() as session:
        customer_messages = select(func.count(Message.id)).where(
            Message.sender == Sender.customer)
        assert session.execute(customer_messages).scalar_one() == 1


@pytest.mark.parametrize("conversation_id,token", [
    ("not-one-of-ours", "a-token"), ("c0ffee" * 5 + "ab", ""), ("c0ffee" * 5 + "ab", "x" * 65)])
def test_a_resume_that_cannot_be_ours_is_refused(client, conversation_id, token):
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": conversation_id, "token": token})
        assert ws.receive_json()["error"] == "unknown_conversation"


def test_a_prepared_id_with_another_token_does_not_take_over_a_stored_conversation(client):
    from handoff.conversations import flow

    with client.websocket_connect("/ws/chat") as ws:
        owner = start(ws)
        ws.send_json({"type": "message", "text": "halo", "client_message_id": "m-1"})
        receive_until(ws, "message")
    stranger = flow.PreparedConversation(owner["conversation_id"], "a guessed token", "en")
    with pytest.raises(flow.UnknownConversation):
        client.portal.call(lambda: flow.customer_message(
            owner["conversation_id"], "mine now", prepared=stranger))


def test_the_widget_is_told_when_the_conversation_switches_language(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")  # an English browser
        assert conversation["language"] == "en"
        ws.send_json({"type": "message", "text": "kak, pesanan saya belum sampai",
                      "client_message_id": "m-1"})
        echo = receive_until(ws, "message")
        switched = ws.receive_json()
    assert echo["sender"] == "customer"
    assert switched == {"type": "language", "language": "id"}


@pytest.mark.parametrize("locale", ["id-ID", "en-GB"])
def test_a_message_over_the_limit_is_refused_in_the_customers_language(client, locale):
    language = locale[:2]
    expected = customer_text("web.too_long", language, limit=MAX_MESSAGE_CHARS)
    with client.websocket_connect("/ws/chat") as ws:
        start(ws, locale)
        ws.send_json({"type": "message", "text": "x" * (MAX_MESSAGE_CHARS + 1),
                      "client_message_id": "long"})
        refused = receive_until(ws, "error")
        ws.send_text("y" * (17 * 1024))  # over the frame limit: the same refusal
        oversized = receive_until(ws, "error")
        ws.send_json({"type": "message", "text": "é" * MAX_MESSAGE_CHARS,
                      "client_message_id": "at-limit"})
        kept = receive_until(ws, "message")
    assert refused == {"type": "error", "error": "too_long", "detail": expected,
                       "client_message_id": "long", "limit": MAX_MESSAGE_CHARS}
    assert (oversized["error"], oversized["detail"]) == ("too_long", expected)
    assert str(MAX_MESSAGE_CHARS) in expected
    assert len(kept["text"]) == MAX_MESSAGE_CHARS  # at the limit: stored whole
    with session_scope() as session:
        texts = session.execute(select(Message.text)).scalars().all()
    assert texts == ["é" * MAX_MESSAGE_CHARS]  # the refused one left nothing, cut or whole


async def test_the_idle_sweep_closes_old_conversations_nobody_wrote_in(database):
    """Rows from before a `start` stored nothing never had a message, so never went quiet."""
    from datetime import timedelta

    from handoff.conversations import idle
    from store.models import utcnow

    with session_scope() as session:
        session.add_all([
            Conversation(id="opened-yesterday", created_at=utcnow() - timedelta(days=1)),
            Conversation(id="opened-just-now", created_at=utcnow())])
    assert await idle.sweep_once() == {"surveyed": 0, "closed": 1, "announced": 0,
                                        "forwarded": 0}
    with session_scope() as session:
        assert session.get(Conversation, "opened-yesterday").close_reason == "idle"
        assert session.get(Conversation, "opened-just-now").closed_at is None
