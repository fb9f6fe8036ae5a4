"""A widget's resume token expires RESUME_HOURS (default 24) after the conversation's last
activity or close: from a shared device's storage the closed chat, tracking number and
all, no longer replays; the widget is told the conversation is unknown and starts afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from store import db
from store.models import Conversation, Sender, utcnow
from store.settings import get_settings
from store.transcript import append_message
from tests.handoff.conftest import stored
from tests.handoff.conversations.test_flow import receive_until

TRACKING = "Pesanan ORD-583920 sudah dikirim dengan JNE, nomor resi JNE0123456789."


def chat_then_close(client) -> tuple[str, str]:  # noqa: ANN001
    """A conversation with a bot reply carrying a tracking number, closed; (id, token)."""
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "locale": "id-ID"})
        started = receive_until(ws, "conversation")
        receive_until(ws, "state")
        # A start only prepares; the first message stores the conversation.
        ws.send_json({"type": "message", "text": "paket saya di mana?", "client_message_id": "1"})
        receive_until(ws, "message")
    conversation_id = started["conversation_id"]
    with db.session_scope() as session:
        append_message(session, conversation_id, Sender.bot, TRACKING)
        session.execute(update(Conversation).where(Conversation.id == conversation_id)
                        .values(closed_at=utcnow(), close_reason="goodbye"))
    return conversation_id, started["token"]


def age(conversation_id: str, hours: float) -> None:
    """Move every moment of the conversation `hours` into the past."""
    with db.session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        for name in ("created_at", "last_message_at", "closed_at"):
            setattr(conversation, name, getattr(conversation, name) - timedelta(hours=hours))


def resume(client, conversation_id: str, token: str) -> list[dict]:  # noqa: ANN001
    """Every frame the widget gets after its resume, up to the state or error frame."""
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": conversation_id, "token": token,
                      "after_seq": 0})
        frames = []
        while not frames or frames[-1]["type"] not in ("state", "error"):
            frames.append(ws.receive_json())
    return frames


def test_a_closed_chat_replays_within_the_resume_window(client):
    conversation_id, token = chat_then_close(client)
    age(conversation_id, get_settings().resume_hours - 1)
    frames = resume(client, conversation_id, token)
    assert TRACKING in [frame.get("text") for frame in frames]
    assert frames[-1]["state"] == "closed"


def test_after_the_resume_window_the_token_opens_nothing(client):
    conversation_id, token = chat_then_close(client)
    age(conversation_id, get_settings().resume_hours + 1)
    frames = resume(client, conversation_id, token)
    assert [frame["type"] for frame in frames] == ["error"]
    assert frames[0]["error"] == "unknown_conversation"
    assert stored(Conversation, id=conversation_id)  # the transcript itself is kept


@pytest.mark.parametrize("hours", ["2"])
def test_the_window_is_configurable(client, monkeypatch, hours):
    monkeypatch.setenv("RESUME_HOURS", hours)
    get_settings.cache_clear()
    conversation_id, token = chat_then_close(client)
    age(conversation_id, 3)
    assert resume(client, conversation_id, token)[0]["error"] == "unknown_conversation"
