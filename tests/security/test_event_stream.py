"""The inbox's event stream shows each agent what the REST views show them (personal data
only to the agent working the handoff) and ends with the viewer's session: logout,
deactivation, expiry. Driven against a running gateway, as the inbox page uses it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from handoff.app import create_app
from handoff.auth.credentials import hash_token
from scripts.processes import free_port
from scripts.widget_client import Widget
from store import db
from store.models import ApiToken, Customer, Role, utcnow
from tests.browser.servers import serve
from tests.handoff.conftest import Login, add_agent, add_handoff
from tests.security.live import EventStream, customer_handoff

pytestmark = pytest.mark.timeout(120)

EMAIL, PHONE_TYPED, PHONE = "siti.rahayu@example.com", "0812-3456-7890", "+6281234567890"
NAME = "Siti Rahayu"


@pytest.fixture
def gateway(shop_db, surveys) -> Iterator[str]:
    with serve(create_app(idle_sweeper=False), free_port()) as url:
        yield url


@asynccontextmanager
async def event_stream(client: httpx.AsyncClient, login: Login) -> AsyncIterator[EventStream]:
    async with client.stream("GET", f"/api/v1/events?token={login.token}") as response:
        stream = EventStream(response)
        assert await stream.next() == ("comment", ": connected")
        yield stream


async def test_each_viewer_gets_events_redacted_as_the_rest_views_are(gateway):
    rina, budi = add_agent("rina"), add_agent("budi")
    customer = await Widget.open(gateway)
    handoff_id = customer_handoff(customer.conversation_id, token=customer.token,
                                  customer=Customer(name=NAME, email=EMAIL, phone=PHONE))
    said = f"hp saya {PHONE_TYPED}, email {EMAIL}"
    async with httpx.AsyncClient(base_url=gateway, timeout=None) as client, \
            event_stream(client, rina) as rinas, event_stream(client, budi) as budis:
        claim = await client.post(f"/api/v1/handoffs/{handoff_id}/claim", headers=rina.headers)
        assert claim.status_code == 200
        await customer.say(said)
        reply = await client.post(f"/api/v1/handoffs/{handoff_id}/messages",
                                  headers=rina.headers,
                                  json={"text": f"Baik Kak, kami kirim ke {EMAIL}"})
        assert reply.status_code == 201
        budi_sees = [await budis.next_event() for _ in range(3)]
        rina_sees = [await rinas.next_event() for _ in range(3)]
        rest_handoff = (await client.get(f"/api/v1/handoffs/{handoff_id}",
                                         headers=budi.headers)).json()
        rest_messages = (await client.get(f"/api/v1/conversations/{customer.conversation_id}",
                                          headers=budi.headers)).json()["messages"]
    await customer.close()

    assert [name for name, _ in budi_sees] == ["handoff", "message", "message"]
    for secret in (EMAIL, PHONE_TYPED, PHONE, NAME):
        assert secret not in budis.text
    [(_, handoff_event)] = [item for item in budi_sees if item[0] == "handoff"]
    assert handoff_event["handoff"]["customer"] == rest_handoff["customer"] == {
        "id": rest_handoff["customer"]["id"], "name": "[name]", "email": "[email]",
        "phone": "[phone]", "wa_id": None}
    rest_texts = {message["seq"]: message["text"] for message in rest_messages}
    for _name, data in budi_sees[1:]:
        assert data["message"]["text"] == rest_texts[data["message"]["seq"]]
    assert "[email]" in rest_texts[budi_sees[1][1]["message"]["seq"]]

    assert [name for name, _ in rina_sees] == ["handoff", "message", "message"]
    assert rina_sees[0][1]["handoff"]["customer"]["email"] == EMAIL  # she works it
    assert rina_sees[1][1]["message"]["text"] == said


async def assert_ends(stream: EventStream) -> None:
    """The next event says the session ended, and then the server closes the stream."""
    assert await stream.next_event() == ("session_ended", {})
    assert await stream.next_event() == ("end", None)


async def trigger_an_event(client: httpx.AsyncClient) -> None:
    """Another agent claims a handoff: every open stream is sent a `handoff` event."""
    someone = add_agent(f"someone{free_port()}")
    response = await client.post(f"/api/v1/handoffs/{add_handoff(f'c{free_port()}')}/claim",
                                 headers=someone.headers)
    assert response.status_code == 200


def expire(login: Login, at: timedelta) -> None:
    with db.session_scope() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(login.token))
                        .values(expires_at=utcnow() + at))


async def test_the_stream_ends_at_logout_and_sends_nothing_after(gateway):
    rina = add_agent("rina")
    async with httpx.AsyncClient(base_url=gateway, timeout=None) as client, \
            event_stream(client, rina) as stream:
        assert (await client.post("/api/v1/auth/logout", headers=rina.headers)).status_code == 204
        await trigger_an_event(client)
        await assert_ends(stream)


async def test_the_stream_ends_when_the_account_is_deactivated(gateway):
    rina, admin = add_agent("rina"), add_agent("adi", Role.admin)
    async with httpx.AsyncClient(base_url=gateway, timeout=None) as client, \
            event_stream(client, rina) as stream:
        deactivated = await client.post(f"/api/v1/agents/{rina.id}/deactivate",
                                        headers=admin.headers)
        assert deactivated.status_code == 200
        await trigger_an_event(client)
        await assert_ends(stream)


async def test_the_stream_ends_when_the_token_expires_while_it_is_open(gateway):
    rina = add_agent("rina")
    async with httpx.AsyncClient(base_url=gateway, timeout=None) as client, \
            event_stream(client, rina) as stream:
        expire(rina, timedelta(seconds=-1))
        await trigger_an_event(client)
        await assert_ends(stream)


async def test_an_idle_stream_ends_by_itself_when_the_token_expires(gateway):
    rina = add_agent("rina")
    expire(rina, timedelta(seconds=1))
    async with httpx.AsyncClient(base_url=gateway, timeout=None) as client, \
            event_stream(client, rina) as stream:
        # The very next thing after "connected": no heartbeat, no event, just the end.
        assert await stream.next() == ("session_ended", {})
        assert await stream.next() == ("end", None)


def test_session_ended_is_plain_sse():
    from handoff.inbox.events import SESSION_ENDED

    name, data, blank, end = SESSION_ENDED.split("\n")
    assert (name, json.loads(data.removeprefix("data: ")), blank, end) == (
        "event: session_ended", {}, "", "")
