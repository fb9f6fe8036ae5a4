"""Website chat: a connection sending too fast is told to slow down and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from handoff.app import create_app
from handoff.channels.web.flood import SlidingWindow
from handoff.texts import customer_text
from store import settings
from store.models import Message
from tests.handoff.conftest import stored
from tests.handoff.conversations.test_flow import receive_until

LIMIT = 3


@pytest.fixture
def chat_client(shop_db, surveys, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CHAT_MESSAGE_LIMIT", str(LIMIT))
    monkeypatch.setenv("CHAT_WINDOW_SECONDS", "60")
    settings.get_settings.cache_clear()
    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client


@pytest.mark.parametrize(("locale", "language", "text"), [
    ("en-US", "en", "where is my order please"),
    ("id-ID", "id", "pesanan saya belum sampai kak"),
])
def test_messages_over_the_limit_are_refused_politely_and_not_stored(
    chat_client, locale, language, text
):
    with chat_client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "locale": locale})
        conversation_id = receive_until(ws, "conversation")["conversation_id"]
        receive_until(ws, "state")
        for n in range(LIMIT):
            ws.send_json({"type": "message", "text": f"{text} {n}", "client_message_id": f"m{n}"})
            receive_until(ws, "message")
        ws.send_json({"type": "message", "text": "one too many", "client_message_id": "extra"})
        error = receive_until(ws, "error")
    assert error["error"] == "rate_limited"
    assert error["detail"] == customer_text("web.rate_limited", language)
    assert 0 < error["retry_after"] <= 60
    texts = [m.text for m in stored(Message, conversation_id=conversation_id)
             if m.sender.value == "customer"]
    assert texts == [f"{text} {n}" for n in range(LIMIT)]


def test_the_window_slides_and_refused_messages_do_not_extend_it():
    now = [0.0]
    rate = SlidingWindow(2, 60, clock=lambda: now[0])
    for _ in range(2):
        assert rate.retry_after() == 0
        rate.accepted()
    now[0] = 30
    assert rate.retry_after() == 30  # refused: not counted
    now[0] = 59
    assert rate.retry_after() == 1
    now[0] = 60
    assert rate.retry_after() == 0
