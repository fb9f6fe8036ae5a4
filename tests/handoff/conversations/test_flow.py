"""The gateway's message path over the real WebSocket, with a real database.

Rasa is not running in these tests: RASA_URL points at a closed port, which exercises the
"assistant unavailable" path for real. Routing to a live Rasa is covered in tests/e2e.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from handoff.app import create_app
from handoff.conversations import flow
from store import settings
from store.db import session_scope
from store.models import Agent, Handoff, HandoffStatus, Message, Owner, Role
from store.transcript import MAX_MESSAGE_CHARS
from tests.handoff.conftest import CALLBACK_SECRET, post_callback


@pytest.fixture
def client(database, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: Rasa is "down"
    monkeypatch.setenv("CALLBACK_SECRET", CALLBACK_SECRET)
    settings.get_settings.cache_clear()
    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client


def receive_until(ws, kind: str, limit: int = 20) -> dict:
    for _ in range(limit):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def start(ws) -> dict:
    ws.send_json({"type": "start", "locale": "en-US"})
    frame = ws.receive_json()
    assert frame["type"] == "conversation"
    assert receive_until(ws, "state")["state"] == "bot"
    return frame


def stored_count(conversation_id: str) -> int:
    with session_scope() as session:
        return session.execute(select(func.count(Message.id)).where(
            Message.conversation_id == conversation_id)).scalar_one()


def test_message_is_stored_echoed_with_seq_and_retries_are_stored_once(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        frame = {"type": "message", "text": "where is my order?", "client_message_id": "m-1"}
        ws.send_json(frame)
        echo = receive_until(ws, "message")
        assert (echo["sender"], echo["seq"], echo["text"]) == ("customer", 1, "where is my order?")
        ws.send_json(frame)  # the widget retries after a dropped connection
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong")
    customer = [m for m in _messages(conversation["conversation_id"]) if m.sender.value ==
                "customer"]
    assert [m.client_message_id for m in customer] == ["m-1"]


def _messages(conversation_id: str) -> list[Message]:
    with session_scope() as session:
        return list(session.execute(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq)).scalars())


@pytest.mark.parametrize(
    ("frame", "error"),
    [({"type": "message", "text": "x" * (MAX_MESSAGE_CHARS + 1)}, "too_long"),
     ({"type": "message", "text": "   "}, "invalid"),
     ({"type": "message", "text": 42}, "invalid"),
     ({"type": "dance"}, "invalid")],
)
def test_bad_frames_get_a_clear_error_and_store_nothing(client, frame, error):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json(frame)
        assert receive_until(ws, "error")["error"] == error
    assert stored_count(conversation["conversation_id"]) == 0


def test_oversized_and_non_json_frames_are_rejected(client):
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_text("{not json")
        assert ws.receive_json()["error"] == "invalid"
        ws.send_text('"a string"')
        assert ws.receive_json()["error"] == "invalid"
        ws.send_text("x" * (17 * 1024))
        assert ws.receive_json()["error"] == "too_long"


def test_resume_needs_the_token_and_replays_only_what_was_missed(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        for index in range(3):
            ws.send_json({"type": "message", "text": f"message {index}",
                          "client_message_id": f"c-{index}"})
            receive_until(ws, "message")
    conversation_id, token = conversation["conversation_id"], conversation["token"]
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": conversation_id, "token": "wrong",
                      "after_seq": 0})
        assert ws.receive_json()["error"] == "unknown_conversation"
        ws.send_json({"type": "resume", "conversation_id": conversation_id, "token": token,
                      "after_seq": 1})
        assert ws.receive_json()["type"] == "conversation"
        replayed = []
        while (frame := ws.receive_json())["type"] != "state":
            replayed.append(frame)
    customer_seqs = [f["seq"] for f in replayed if f["sender"] == "customer"]
    assert customer_seqs == [m.seq for m in _messages(conversation_id)
                             if m.sender.value == "customer" and m.seq > 1]
    assert all(f["seq"] > 1 for f in replayed)


def test_assistant_down_means_an_apology_and_a_person_not_silence(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json({"type": "message", "text": "halo kak, paket saya belum sampai"})
        receive_until(ws, "message")  # the echo
        apology = receive_until(ws, "message")
        assert apology["sender"] == "system" and "Maaf" in apology["text"]
        state = receive_until(ws, "state")
        # Nobody is online (or the team is closed): no minutes are promised.
        assert state["state"] == "queued" and state["wait_minutes"] is None
    with session_scope() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        assert handoff.reason == "assistant_unavailable"
        assert handoff.context["transcript"][0]["text"] == "halo kak, paket saya belum sampai"
        assert handoff.conversation.owner == Owner.human
    assert handoff.conversation_id == conversation["conversation_id"]


def test_bot_reply_from_the_callback_reaches_the_widget_with_buttons(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json({"type": "message", "text": "hello", "client_message_id": "m-1"})
        receive_until(ws, "state")  # stored, then queued: Rasa is down in this test
        response = post_callback(client, {
            "recipient_id": conversation["conversation_id"], "text": "Did that help?",
            "buttons": [{"title": "Yes", "payload": "/affirm"}]})
        assert response.status_code == 200
        frame = receive_until(ws, "message")
    assert frame["sender"] == "bot"
    assert frame["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert post_callback(client, {"recipient_id": "nope", "text": "x"}).status_code == 404
    assert post_callback(client, {"text": "x"}).status_code == 422


def test_html_is_stored_verbatim_for_pages_to_escape(client):
    script = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json({"type": "message", "text": script})
        assert receive_until(ws, "message")["text"] == script
    assert _messages(conversation["conversation_id"])[0].text == script


def test_agent_reply_needs_a_claim_and_resolve_returns_the_conversation_to_the_bot(client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        conversation_id = conversation["conversation_id"]
        ws.send_json({"type": "message", "text": "human please"})
        receive_until(ws, "state")  # queued (Rasa is down in this test)
        with session_scope() as session:
            rina = Agent(username="rina", display_name="Rina", role=Role.agent,
                         password_hash="x")
            session.add(rina)
            session.flush()
            handoff = session.execute(select(Handoff)).scalar_one()
            handoff_id, rina_id = handoff.id, rina.id
        with pytest.raises(flow.NotYourHandoff):
            asyncio.run(flow.send_agent_message(handoff_id, rina_id, "Hi!"))
        with session_scope() as session:
            handoff = session.get(Handoff, handoff_id)
            handoff.status, handoff.agent_id = HandoffStatus.assigned, rina_id
        client.portal.call(flow.agent_joined, conversation_id, "Rina")
        assert receive_until(ws, "state")["agent_name"] == "Rina"
        client.portal.call(flow.send_agent_message, handoff_id, rina_id, "Halo, saya Rina")
        reply = receive_until(ws, "message")
        while reply["sender"] != "agent":
            reply = receive_until(ws, "message")
        assert reply["agent_name"] == "Rina"
        client.portal.call(flow.resolve_handoff, handoff_id, rina_id)
        assert receive_until(ws, "state")["state"] == "bot"
    with session_scope() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff.status == HandoffStatus.resolved and handoff.first_agent_reply_at
        assert handoff.conversation.owner == Owner.bot


def test_a_failed_custom_action_keeps_what_was_said_then_queues_for_a_person(
        client, monkeypatch):
    from handoff.conversations import rasa_client

    async def turn_with_a_dead_action_server(*_args, **_kwargs) -> rasa_client.BotTurn:
        # What nlu.gateway_channel reports when the order lookup could not run.
        return rasa_client.BotTurn(
            messages=[{"text": "Sebentar ya Kak, saya cek dulu."},
                      {"text": "Ada lagi yang bisa dibantu?"}],
            failed_actions=[{"action": "action_answer_order", "after": 1}])

    monkeypatch.setattr(rasa_client, "send_to_bot", turn_with_a_dead_action_server)
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws)
        ws.send_json({"type": "message", "text": "cek pesanan ORD-100001 dong"})
        receive_until(ws, "message")  # the echo
        said = receive_until(ws, "message")
        apology = receive_until(ws, "message")
        assert receive_until(ws, "state")["state"] == "queued"
    assert said["text"] == "Sebentar ya Kak, saya cek dulu."
    assert apology["sender"] == "system" and "Maaf" in apology["text"]
    with session_scope() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        texts = [m.text for m in handoff.conversation.messages]
    assert handoff.reason == "assistant_unavailable"
    assert "action_answer_order" in handoff.summary
    assert "Ada lagi yang bisa dibantu?" not in texts  # said as if the lookup had worked
    assert handoff.conversation_id == conversation["conversation_id"]


def test_said_before_failure_is_everything_when_nothing_failed():
    from handoff.conversations.rasa_client import BotTurn

    replies = [{"text": "a"}, {"text": "b"}]
    assert BotTurn(replies).said_before_failure() == replies
    assert BotTurn(replies, [{"action": "x", "after": 2}, {"action": "y", "after": 0}]
                   ).said_before_failure() == []


@pytest.fixture
def client_without_database(monkeypatch) -> Iterator[TestClient]:
    """The gateway while its database is unreachable (nothing listens on the port)."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop:shop@127.0.0.1:9/shop")
    settings.get_settings.cache_clear()
    from store import db

    db.get_engine.cache_clear()
    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client
    db.get_engine.cache_clear()
    settings.get_settings.cache_clear()


def test_database_down_gets_a_polite_unavailable_frame_and_the_socket_stays_open(
        client_without_database):
    with client_without_database.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": "c0ffee", "token": "t"})
        refused_resume = ws.receive_json()
        ws.send_json({"type": "start", "locale": "id-ID"})  # stores nothing: still served
        assert ws.receive_json()["type"] == "conversation"
        assert ws.receive_json()["type"] == "state"
        ws.send_json({"type": "message", "text": "halo", "client_message_id": "m-7"})
        refused_message = ws.receive_json()
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
    assert refused_resume["error"] == "unavailable"
    assert refused_resume["client_message_id"] is None
    assert refused_message["error"] == "unavailable"
    assert refused_message["client_message_id"] == "m-7"
    assert refused_message["retry_after"] >= 1 and "Maaf" in refused_message["detail"]


async def test_db_retry_waits_out_an_unreachable_database_and_not_other_errors():
    from sqlalchemy import text

    from store.db import make_engine, with_db_retry

    down = make_engine("postgresql://shop:shop@127.0.0.1:9/shop")
    attempts: list[int] = []

    def work() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            with down.connect() as connection:  # a real "connection refused"
                connection.execute(text("SELECT 1"))
        return "stored"

    assert await with_db_retry(work) == "stored" and len(attempts) == 3

    def broken() -> None:
        attempts.append(1)
        raise ValueError("a bug, not an outage")

    attempts.clear()
    with pytest.raises(ValueError):
        await with_db_retry(broken)
    assert len(attempts) == 1
    attempts.clear()
    with pytest.raises(Exception, match="Connection refused|could not connect"):
        await with_db_retry(lambda: down.connect(), seconds=0.5)
    down.dispose()


def test_nul_characters_are_dropped_from_chat_text(client):
    with client.websocket_connect("/ws/chat") as ws:
        start(ws)
        ws.send_json({"type": "message", "text": "ha\x00lo", "client_message_id": "nul"})
        assert receive_until(ws, "message")["text"] == "halo"
