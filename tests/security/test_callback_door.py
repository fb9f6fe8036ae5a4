"""Attack (high in issue 12): post a message as the bot into a customer's chat.

`POST /rasa/callback` took any body: anyone who knew a conversation id (every agent sees
them) could put a phishing message with a button into a customer's chat, as the bot, and
nginx passed it on the public port. Now only a body signed with CALLBACK_SECRET is stored,
refusals are logged, and the load balancer's public side does not pass /rasa/ at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from handoff.conversations import rasa_client
from nlu.callback_signature import signed_headers
from scripts.processes import Service, free_port
from scripts.widget_client import Widget
from store.db import session_scope
from store.models import Message
from tests.security.conftest import log_of

PHISHING = "Your order is on hold: confirm your card at the link below"


def phishing_reply(conversation_id: str) -> bytes:
    return json.dumps({"recipient_id": conversation_id, "text": PHISHING, "buttons": [
        {"title": "Confirm card", "payload": "https://pay-verify.example.net"}]}).encode()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=body, timeout=30,
                      headers={"Content-Type": "application/json", **(headers or {})})


def texts_in(conversation_id: str) -> list[str]:
    with session_scope() as session:
        return list(session.execute(select(Message.text).where(
            Message.conversation_id == conversation_id)).scalars())


async def assert_refused_and_nothing_shown(
        stack, forgeries: dict[str, Callable[[bytes], dict[str, str]]]) -> None:
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    body = phishing_reply(widget.conversation_id)
    for name, headers in forgeries.items():
        response = post(f"{stack.gateway_url}/rasa/callback", body, headers(body))
        assert response.status_code == 401, name
    # The customer goes on chatting: what reaches the widget and the database is the bot's.
    await widget.say("how long does shipping to Surabaya take?")
    await widget.bot_says()
    await widget.close()
    assert PHISHING not in texts_in(widget.conversation_id)
    assert not any(PHISHING in (frame.get("text") or "") for frame in widget.frames)
    assert "refused a bot callback" in log_of(stack, "gateway")


async def test_forged_callbacks_put_nothing_into_a_customers_chat(stack):
    await assert_refused_and_nothing_shown(stack, {
        "unsigned": lambda body: {},
        "guessed secret": lambda body: signed_headers("guessed-secret", body),
        "garbage": lambda body: {"X-Callback-Timestamp": "x" * 40,
                                 "X-Callback-Signature": "sha256=" + "0" * 64},
    })


async def test_real_signatures_cannot_be_moved_to_another_body_or_replayed(stack):
    secret = stack.env["CALLBACK_SECRET"]
    await assert_refused_and_nothing_shown(stack, {
        "signature only": lambda body: {
            "X-Callback-Signature": signed_headers(secret, body)["X-Callback-Signature"]},
        # a genuine signature, on another body: the body is what is signed
        "another body's signature": lambda body: signed_headers(secret, b"{}"),
        # a genuine callback captured and replayed ten minutes later
        "replayed": lambda body: signed_headers(secret, body, time.time() - 600),
    })


async def test_rasas_own_callbacks_still_reach_the_customer(stack):
    """The survey after a resolve: the gateway asks Rasa, Rasa posts it back, signed."""
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("how long does shipping to Surabaya take?")
    await widget.bot_says()
    await rasa_client.resume_with_survey(widget.conversation_id, "resolved")
    survey = await widget.bot_says()
    assert "how easy was it" in survey["text"]
    await widget.close()


@pytest.fixture
def load_balancer(stack, tmp_path) -> Iterator[tuple[str, str]]:
    """nginx configured as the production layout configures it, in front of the stack:
    (public gateway URL, internal callback URL)."""
    from scripts.production import NGINX, Ports, nginx_service

    if not Path(NGINX).exists():
        pytest.skip(f"{NGINX} is missing (apt-get install -y nginx)")
    ports = Ports({name: free_port() for name in ("GATEWAY_PORT", "RASA_PORT", "ACTIONS_PORT")},
                  [{name: int(stack.env[name])
                    for name in ("GATEWAY_PORT", "RASA_PORT", "ACTIONS_PORT")}],
                  free_port())
    nginx: Service = nginx_service(ports, tmp_path / "nginx")
    nginx.start()
    try:
        nginx.wait_healthy(30)
        yield (f"http://127.0.0.1:{ports.public['GATEWAY_PORT']}",
               f"http://127.0.0.1:{ports.callback}/rasa/callback")
    finally:
        nginx.stop()


async def test_public_side_of_the_load_balancer_does_not_pass_the_callback(stack,
                                                                           load_balancer):
    public, internal = load_balancer
    widget = await Widget.open(public, locale="en-US")
    await widget.say("hello")  # stores the conversation (a start only prepares one)
    await widget.bot_says()
    body = phishing_reply(widget.conversation_id)
    headers = signed_headers(stack.env["CALLBACK_SECRET"], body)  # even a signed one
    for path in ("/rasa/callback", "//rasa/callback", "/rasa/%63allback", "/rasa/callback/",
                 "/x/../rasa/callback"):
        response = post(f"{public}{path}", body, headers)
        assert response.status_code == 404, path
    assert PHISHING not in texts_in(widget.conversation_id)
    # The internal side passes Rasa's signed callbacks on to the gateways.
    hello = json.dumps({"recipient_id": widget.conversation_id, "text": "Halo dari Rasa"})
    response = post(internal, hello.encode(), signed_headers(stack.env["CALLBACK_SECRET"],
                                                             hello.encode()))
    assert response.status_code == 200
    assert (await widget.bot_says())["text"] == "Halo dari Rasa"
    # and nothing else: the inbox, the API and the chat are not on it
    assert httpx.get(internal.removesuffix("/rasa/callback") + "/healthz",
                     timeout=10).status_code == 404
    await widget.close()


def test_without_a_callback_secret_every_callback_is_refused(client, monkeypatch):
    """Fails closed: a gateway started without CALLBACK_SECRET accepts no callback at all."""
    from store.settings import get_settings

    monkeypatch.setenv("CALLBACK_SECRET", "")
    get_settings.cache_clear()
    body = phishing_reply("any-conversation")
    for headers in ({}, signed_headers("", body)):
        response = client.post("/rasa/callback", content=body,
                               headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 401
