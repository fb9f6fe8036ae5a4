"""Website chat floods: new conversations and open sockets are limited per client address,
`start` frames per socket, and reconnecting resets none of it. Each refusal is a polite,
translated error frame followed by a close code. X-Forwarded-For counts only from a
trusted proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from handoff.app import create_app
from handoff.texts import customer_text
from store import settings
from store.models import Conversation
from tests.handoff.conftest import stored
from tests.handoff.conversations.test_flow import receive_until

POLICY_VIOLATION = 1008


@pytest.fixture
def chat_app(shop_db, surveys, monkeypatch) -> Callable[..., TestClient]:
    """A gateway with the given limits (environment variables without CHAT_ in front)."""
    clients: list[TestClient] = []

    def make(**limits: str) -> TestClient:
        for name, value in limits.items():
            monkeypatch.setenv(name if name == "TRUSTED_PROXIES" else f"CHAT_{name}", value)
        settings.get_settings.cache_clear()
        client = TestClient(create_app(idle_sweeper=False))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def start(ws, locale: str = "en-US", *, write: bool = True) -> dict:  # noqa: ANN001
    """A new conversation; with `write`, its first message stores it (a start alone only
    prepares one), as a flooding script that wants rows would do."""
    ws.send_json({"type": "start", "locale": locale})
    conversation = receive_until(ws, "conversation")
    if write:
        ws.send_json({"type": "message", "text": "halo", "client_message_id": "first"})
        receive_until(ws, "message")
    return conversation


def refusal_and_close_code(ws) -> tuple[dict, int]:  # noqa: ANN001
    """The error frame the widget is sent, then the code the socket is closed with."""
    error = receive_until(ws, "error")
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return error, closed.value.code


def conversations() -> int:
    return len(stored(Conversation))


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("id-ID", "id")])
def test_new_conversations_are_limited_per_address_and_reconnecting_does_not_reset_it(
    chat_app, locale, language
):
    client = chat_app(CONVERSATIONS_PER_ADDRESS="2", STARTS_PER_CONNECTION="10")
    for _ in range(2):  # a fresh socket each time: what a flooding script would do
        with client.websocket_connect("/ws/chat") as ws:
            start(ws, locale)
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "locale": locale})
        error, code = refusal_and_close_code(ws)
    assert error["error"] == "too_many_conversations"
    assert error["detail"] == customer_text("web.too_many_conversations", language)
    assert 0 < error["retry_after"] <= 60
    assert code == POLICY_VIOLATION
    assert conversations() == 2


def test_start_frames_are_limited_per_socket(chat_app):
    client = chat_app(STARTS_PER_CONNECTION="2", CONVERSATIONS_PER_ADDRESS="100")
    with client.websocket_connect("/ws/chat") as ws:
        start(ws)
        start(ws)
        ws.send_json({"type": "start", "locale": "en-US"})
        error, code = refusal_and_close_code(ws)
    assert (error["error"], code) == ("too_many_conversations", POLICY_VIOLATION)
    assert error["detail"] == customer_text("web.too_many_conversations", "en")
    assert conversations() == 2


def test_a_message_after_the_limit_opens_no_conversation_either(chat_app):
    client = chat_app(CONVERSATIONS_PER_ADDRESS="1")
    with client.websocket_connect("/ws/chat") as ws:
        start(ws)
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "message", "text": "hello", "client_message_id": "m1"})
        error, code = refusal_and_close_code(ws)
    assert (error["error"], code) == ("too_many_conversations", POLICY_VIOLATION)
    assert conversations() == 1


def test_open_sockets_are_limited_per_address_and_a_closed_one_frees_its_place(chat_app):
    client = chat_app(SOCKETS_PER_ADDRESS="2")
    with client.websocket_connect("/ws/chat") as first, \
            client.websocket_connect("/ws/chat") as second:
        with client.websocket_connect("/ws/chat") as third:
            error, code = refusal_and_close_code(third)
        assert (error["error"], code) == ("too_many_connections", POLICY_VIOLATION)
        assert error["detail"] == customer_text("web.too_many_connections", "id")
        for ws in (first, second):  # the open ones are unaffected
            ws.send_json({"type": "ping"})
            assert ws.receive_json() == {"type": "pong"}
    with client.websocket_connect("/ws/chat") as again:
        start(again)


def _start_as(client: TestClient, forwarded_for: str) -> str:
    with client.websocket_connect("/ws/chat", headers={"X-Forwarded-For": forwarded_for}) as ws:
        ws.send_json({"type": "start", "locale": "en-US"})
        return ws.receive_json()["type"]


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(chat_app):
    client = chat_app(CONVERSATIONS_PER_ADDRESS="1", TRUSTED_PROXIES="testclient")
    assert _start_as(client, "203.0.113.5") == "conversation"
    assert _start_as(client, "203.0.113.6") == "conversation"
    assert _start_as(client, "203.0.113.5") == "error"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(chat_app):
    client = chat_app(CONVERSATIONS_PER_ADDRESS="1", TRUSTED_PROXIES="")
    assert _start_as(client, "203.0.113.5") == "conversation"
    # A new made-up address per socket does not get round the limit.
    assert _start_as(client, "203.0.113.99") == "error"


def test_address_counters_forget_empty_windows_only_when_many_are_tracked(monkeypatch):
    from handoff.channels.web import flood

    now = [0.0]
    limits = flood.AddressLimits(sockets=1, conversations=1, window=60, clock=lambda: now[0])
    monkeypatch.setattr(flood, "MAX_TRACKED_ADDRESSES", 2)
    limits.conversation_started("a")
    limits.conversation_started("b")
    now[0] = 61  # both windows empty now
    limits.conversation_started("c")
    assert set(limits._conversations) == {"c"}
    assert limits.connect("a") and not limits.connect("a")
    limits.disconnect("a")
    assert limits.connect("a")


@pytest.fixture
def gateway_log(caplog) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level("DEBUG")
    yield caplog


@pytest.mark.parametrize(("send", "code"), [
    (lambda ws: ws.send_bytes(b"\x00\x01binary"), 1003),
    (lambda ws: ws.send_text("[" * 5000 + "]" * 5000), 1007),
    (lambda ws: ws.send_text('{"type": "message", "text": ' + '{"a":' * 2000 + "1"
                              + "}" * 2000 + "}"), 1007),
], ids=["binary", "nested-array", "nested-object"])
def test_binary_or_deeply_nested_frames_close_the_socket_cleanly(
    chat_app, gateway_log, send, code
):
    client = chat_app()
    with client.websocket_connect("/ws/chat") as bystander:
        start(bystander)
        with client.websocket_connect("/ws/chat") as attacker:
            send(attacker)
            error, closed_with = refusal_and_close_code(attacker)
        assert (error["error"], closed_with) == ("invalid", code)
        bystander.send_json({"type": "ping"})
        assert receive_until(bystander, "pong") == {"type": "pong"}
    assert not [r for r in gateway_log.records if r.exc_info or r.levelname == "ERROR"]


def test_a_first_message_the_database_could_not_store_uses_up_nothing(chat_app, monkeypatch):
    """A widget re-sending during a database restart is not refused as a flood: its message
    lands in the conversation it prepared, once."""
    from sqlalchemy.exc import OperationalError

    from handoff.conversations import flow

    client = chat_app(STARTS_PER_CONNECTION="1", CONVERSATIONS_PER_ADDRESS="1")
    real_store = flow._store_customer_message

    def database_restarting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT", {}, Exception("the database is starting up"))

    first = {"type": "message", "text": "halo", "client_message_id": "first"}
    with client.websocket_connect("/ws/chat") as ws:
        prepared = start(ws, write=False)
        monkeypatch.setattr(flow, "_store_customer_message", database_restarting)
        for _ in range(3):
            ws.send_json(first)
            assert receive_until(ws, "error")["error"] == "unavailable"
        monkeypatch.setattr(flow, "_store_customer_message", real_store)
        ws.send_json(first)
        assert receive_until(ws, "message")["conversation_id"] == prepared["conversation_id"]
    assert conversations() == 1
