"""The inbox's server-sent event stream."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from handoff.auth.deps import StreamLogin
from handoff.inbox.events import format_event, inbox_events
from handoff.live import INBOX, hub
from store.models import utcnow
from tests.handoff.conftest import add_agent


async def _never_disconnected() -> bool:
    return False


def test_events_are_formatted_as_sse():
    text = format_event({"event": "typing", "data": {"conversation_id": "c1", "note": "a\nb"}})
    name, data, blank, end = text.split("\n")
    assert name == "event: typing" and (blank, end) == ("", "")
    assert json.loads(data.removeprefix("data: ")) == {"conversation_id": "c1", "note": "a\nb"}


async def test_stream_forwards_inbox_events_and_sends_heartbeats(shop_db):
    login = add_agent("rina")
    stream = inbox_events(StreamLogin(login.token, utcnow() + timedelta(hours=1)),
                          _never_disconnected, heartbeat_seconds=0.05)
    assert await anext(stream) == ": connected\n\n"
    hub.publish(INBOX, {"event": "typing", "data": {"conversation_id": "c1"}})
    assert await anext(stream) == 'event: typing\ndata: {"conversation_id": "c1"}\n\n'
    assert await anext(stream) == ": heartbeat\n\n"
    await stream.aclose()
    assert hub.subscriber_count(INBOX) == 0  # unsubscribed when the client left


def test_stream_needs_a_token(client):
    assert client.get("/api/v1/events").status_code == 401
    assert client.get("/api/v1/events?token=forged").status_code == 401


async def test_stream_accepts_the_token_in_the_query_string(shop_db):
    """Driven through the ASGI interface, since the stream only ends when the client leaves."""
    from handoff.app import create_app

    login = add_agent("rina")
    app = create_app(idle_sweeper=False)
    sent: list[dict] = []
    got_event = asyncio.Event()
    leave = asyncio.Event()
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await leave.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and b"event: handoff" in message["body"]:
            got_event.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": "/api/v1/events", "raw_path": b"",
             "query_string": f"token={login.token}".encode(), "root_path": "",
             "headers": [(b"host", b"test")], "client": ("127.0.0.1", 1),
             "server": ("test", 80)}
    call = asyncio.create_task(app(scope, receive, send))
    while hub.subscriber_count(INBOX) == 0:
        await asyncio.sleep(0.01)
    hub.publish(INBOX, {"event": "handoff", "data": {"handoff": {"id": 1}}})
    await asyncio.wait_for(got_event.wait(), 10)
    leave.set()
    await asyncio.wait_for(call, 10)
    start = sent[0]
    assert start["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
