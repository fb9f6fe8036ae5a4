"""No route does database work on the event loop, where one slow or locked statement would stall
every socket, the event stream and /healthz (the freeze in tests/security/
test_gateway_contention.py). Every route of the app is driven once, with the background work
it starts (bot exchanges, WhatsApp processing, the idle sweep), and every statement and
connection checkout is checked: none may happen on a thread that runs an event loop.

The list of routes comes from create_app(): a new route that this test does not drive fails it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from handoff.app import create_app
from handoff.auth.deps import StreamLogin
from handoff.conversations import flow, idle, rasa_client
from handoff.inbox.events import inbox_events
from handoff.live import INBOX, hub
from store import settings
from store.models import Message, Role, utcnow
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.fake_graph import start_fake_graph
from tests.handoff.conftest import PASSWORD, Login, add_agent, stored
from tests.media import photo
from tests.security.live import customer_handoff


def _on_an_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def on_the_event_loop() -> Iterator[list[str]]:
    """What the gateway did with the database from a thread running an event loop."""
    seen: list[str] = []

    def statement(_conn, _cursor, text: str, *_args: Any) -> None:  # noqa: ANN001
        if _on_an_event_loop():
            seen.append(" ".join(text.split())[:100])

    def checkout(*_args: Any) -> None:
        if _on_an_event_loop():
            seen.append("a connection taken from the pool")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Pool, "checkout", checkout)
    yield seen
    event.remove(Engine, "before_cursor_execute", statement)
    event.remove(Pool, "checkout", checkout)


@pytest.fixture
def gateway(shop_db, surveys, monkeypatch) -> Iterator[TestClient]:
    """The app with WhatsApp on (against the fake Graph API) and a bot that says nothing."""
    graph, server = start_fake_graph()
    for key, value in payloads.whatsapp_env(graph.base_url).items():
        monkeypatch.setenv(key, value)
    settings.get_settings.cache_clear()

    async def send_to_bot(*_args: Any, **_kwargs: Any) -> rasa_client.BotTurn:
        return rasa_client.BotTurn()

    monkeypatch.setattr(rasa_client, "send_to_bot", send_to_bot)
    with TestClient(create_app(idle_sweeper=False)) as client:
        yield client
    server.stop()


class Driver:
    """Calls routes by their template and remembers which ones it called."""

    def __init__(self, client: TestClient) -> None:
        self.client, self.called = client, set()

    def __call__(self, method: str, template: str, login: Login | None = None,
                 expect: int | None = 200, **kwargs: Any) -> Any:
        """`expect=None`: any answer but a 5xx."""
        self.called.add((method, template))
        path = template.format(**kwargs.pop("path", {}))
        headers = {**(login.headers if login else {}), **kwargs.pop("headers", {})}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect if expect else response.status_code < 500, (
            method, path, response.status_code, response.text)
        return response.json() if "json" in response.headers.get("content-type", "") else None

    def background(self) -> None:
        """Waits for what the requests started in the background (bot exchanges, WhatsApp)."""
        self.client.portal.call(flow.drain_background)


def app_routes() -> set[tuple[str, str]]:
    routes = set()
    for route in create_app(idle_sweeper=False).routes:
        if isinstance(route, APIWebSocketRoute):
            routes.add(("WS", route.path))
        elif isinstance(route, APIRoute):
            routes.update((method, route.path) for method in route.methods - {"HEAD"})
    return routes


async def _one_event(token: str) -> list[str]:
    """The event stream's own work (token checks, per-viewer views) for one event."""
    stream = inbox_events(StreamLogin(token, utcnow() + timedelta(hours=1)),
                          _never_disconnected)
    seen = [await anext(stream)]
    hub.publish(INBOX, {"event": "handoff", "data": {"handoff": {"id": 1}}})
    seen.append(await anext(stream))
    await stream.aclose()
    return seen


async def _never_disconnected() -> bool:
    return False


def test_no_route_does_database_work_on_the_event_loop(gateway, on_the_event_loop,
                                                       attachment_dir):
    call = Driver(gateway)
    gateway.app.state.warm_up.ready = True  # no Rasa here; warm start: tests/production
    admin, budi, ops = (add_agent("adi", Role.admin), add_agent("budi"),
                        add_agent("olivia", Role.ops))
    for page in ("/", "/inbox", "/ops", "/ops/dashboard", "/admin", "/static/widget.js",
                 "/healthz", "/docs", "/favicon.svg", "/favicon.ico", "/metrics"):
        call("GET", page)

    rina = add_agent("rina")
    call("POST", "/api/v1/auth/login", json={"username": "rina", "password": PASSWORD})
    call("GET", "/api/v1/auth/me", rina)
    call("POST", "/api/v1/agents/heartbeat", rina, expect=204)

    # A customer on the website, handed to a person.
    call.called.add(("WS", "/ws/chat"))
    with gateway.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "locale": "id-ID"})
        started = ws.receive_json()
        photo_sent = call("POST", "/chat/attachments", expect=201, content=photo(), headers={
            "X-Conversation-Id": started["conversation_id"],
            "X-Conversation-Token": started["token"]})["message"]["attachment"]
        ws.send_json({"type": "message", "text": "halo kak", "client_message_id": "m1"})
        ws.send_json({"type": "typing"})
        ws.send_json({"type": "ping"})
        while ws.receive_json()["type"] != "pong":
            pass
    call.background()
    conversation_id = started["conversation_id"]
    web = {"handoff_id": customer_handoff(conversation_id)}

    call("GET", "/api/v1/handoffs", rina)
    call("GET", "/api/v1/handoffs/{handoff_id}", rina, path=web)
    call("POST", "/api/v1/handoffs/{handoff_id}/claim", rina, path=web)
    call("POST", "/api/v1/handoffs/{handoff_id}/messages", rina, expect=201, path=web,
         json={"text": "Halo, saya Rina"})
    call("POST", "/api/v1/handoffs/{handoff_id}/typing", rina, expect=204, path=web)
    call("POST", "/api/v1/handoffs/{handoff_id}/notes", rina, expect=201, path=web,
         json={"text": "sudah dicek"})
    call("POST", "/api/v1/handoffs/{handoff_id}/transfer", rina, path=web)
    call("POST", "/api/v1/handoffs/{handoff_id}/claim", budi, path=web)
    call("POST", "/api/v1/handoffs/{handoff_id}/attachments", budi, expect=201, path=web,
         content=photo("PNG"))
    call("GET", "/attachments/{attachment_id}", budi, path={"attachment_id": photo_sent["id"]})
    call("GET", "/api/v1/handoffs/{handoff_id}/canned-replies", budi, path=web)
    call("GET", "/api/v1/team", ops)
    call("POST", "/api/v1/handoffs/{handoff_id}/assign", ops, path=web,
         json={"agent_id": rina.id})
    call("POST", "/api/v1/handoffs/{handoff_id}/resolve", rina, path=web)
    call.background()
    with gateway.websocket_connect("/ws/chat") as ws:  # a reload: the transcript is replayed
        ws.send_json({"type": "resume", "conversation_id": conversation_id,
                      "token": started["token"]})
        assert ws.receive_json()["type"] == "conversation"

    call("GET", "/api/v1/canned-replies", rina)
    own = {"reply_id": call("POST", "/api/v1/canned-replies", rina, expect=201, json={
        "title": "Cek", "language": "id", "text": "Sebentar ya Kak, {agent_name} cek dulu."})["id"]}
    call("PATCH", "/api/v1/canned-replies/{reply_id}", rina, path=own, json={"title": "Cek dulu"})
    call("DELETE", "/api/v1/canned-replies/{reply_id}", rina, expect=204, path=own)
    call("GET", "/api/v1/conversations", ops)
    call("GET", "/api/v1/conversations/export", ops)
    call("GET", "/api/v1/conversations/{conversation_id}", rina,
         path={"conversation_id": conversation_id})
    call("GET", "/api/v1/metrics", ops)
    call("GET", "/api/v1/events", expect=401, params={"token": "forged"})
    assert gateway.portal.call(_one_event, rina.token)[1].startswith("event: handoff")
    call("POST", "/rasa/callback", expect=None, json={"recipient_id": conversation_id,
                                                      "text": "Terima kasih"})

    # Accounts.
    call("GET", "/api/v1/agents", admin)
    dewi = {"agent_id": call("POST", "/api/v1/agents", admin, expect=201, json={
        "username": "dewi", "display_name": "Dewi", "password": "long enough password"})["id"]}
    for action in ("deactivate", "reactivate", "password"):
        call("POST", f"/api/v1/agents/{{agent_id}}/{action}", admin, path=dewi, json={})
    call("DELETE", "/api/v1/agents/{agent_id}/sessions", admin, path=dewi)
    call("DELETE", "/api/v1/agents/{agent_id}/login-failures", admin, path=dewi)
    call("GET", "/api/v1/audit", admin)
    changed = call("POST", "/api/v1/auth/password", rina, json={
        "current_password": PASSWORD, "new_password": "rina's new password"})
    rina = Login(rina.id, "rina", changed["token"])

    # A customer on WhatsApp, handed to a person, answered; statuses and a photo come back.
    call("GET", "/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": payloads.VERIFY_TOKEN,
        "hub.challenge": "42"})
    said = payloads.text("halo, paket saya belum sampai")
    whatsapp(call, payloads.notification(said))
    [first] = stored(Message, external_id=said["id"])
    wa = {"handoff_id": customer_handoff(first.conversation_id)}
    call("POST", "/api/v1/handoffs/{handoff_id}/claim", rina, path=wa)
    sent = call("POST", "/api/v1/handoffs/{handoff_id}/messages", rina, expect=201, path=wa,
                json={"text": "Baik, saya cek ya"})
    call.background()
    [reply] = stored(Message, id=sent["id"])
    whatsapp(call, payloads.notification(statuses=[payloads.status(reply.external_id, "read")]))
    whatsapp(call, payloads.notification(payloads.message("image", {"id": "media-1"})))
    assert stored(Message, id=sent["id"])[0].delivery_status == "read"

    gateway.portal.call(idle.sweep_once, utcnow() + timedelta(days=1))
    call("POST", "/api/v1/auth/logout", rina, expect=204)

    assert call.called == app_routes()
    assert on_the_event_loop == []


def whatsapp(call: Driver, body: dict[str, Any]) -> None:
    """A signed notification from Meta, and the work it starts."""
    raw, headers = payloads.signed(body)
    call("POST", "/webhooks/whatsapp", content=raw, headers=headers)
    call.background()
