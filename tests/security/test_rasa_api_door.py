"""Attack (high in issue 12): use Rasa's HTTP API and channels without credentials.

Rasa's API was on without a token: any local process could read every transcript, set
`verified_order_id` on a conversation to skip verification, replace the model, or talk to
the bot on the `rest` channel. Now every API call and the gateway channel want
RASA_AUTH_TOKEN, no other channel is served, and Rasa listens on loopback only.
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from scripts.widget_client import Widget
from tests.security.conftest import log_of

EMAIL = "rina.wijaya@example.com"
NO_TOKEN = [None, "guessed-token", ""]


async def conversation_with_personal_data(stack) -> str:
    """A real conversation whose tracker holds the customer's email."""
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("where is my order ORD-583920?")
    await widget.bot_says()
    await widget.say(EMAIL)
    await widget.bot_says()
    await widget.close()
    return widget.conversation_id


def call(stack, method: str, path: str, token: str | None, body: object = None,
         ) -> httpx.Response:
    params = {} if token is None else {"token": token}
    return httpx.request(method, f"{stack.rasa_url}{path}", params=params, json=body,
                         timeout=60)


def tracker(stack, conversation_id: str) -> dict:
    response = call(stack, "GET", f"/conversations/{conversation_id}/tracker",
                    stack.env.get("RASA_AUTH_TOKEN"))
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("token", NO_TOKEN, ids=["none", "wrong", "empty"])
async def test_transcripts_cannot_be_read_without_the_token(stack, token):
    conversation_id = await conversation_with_personal_data(stack)
    for path in (f"/conversations/{conversation_id}/tracker",
                 f"/conversations/{conversation_id}/story"):
        response = call(stack, "GET", path, token)
        assert response.status_code in (401, 403)
        assert EMAIL not in response.text
    assert EMAIL in str(tracker(stack, conversation_id))  # it was there to be read


@pytest.mark.parametrize("method", ["PUT", "POST"])
async def test_verification_cannot_be_skipped_by_writing_the_tracker(stack, method):
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("where is my order ORD-583920?")
    await widget.bot_says()
    forged = [{"event": "slot", "name": "verified_order_id", "value": "ORD-583920"},
              {"event": "slot", "name": "order_check", "value": "verified"}]
    for token in NO_TOKEN:
        response = call(stack, method, f"/conversations/{widget.conversation_id}/tracker/events",
                        token, forged)
        assert response.status_code in (401, 403)
    assert tracker(stack, widget.conversation_id)["slots"]["verified_order_id"] is None
    await widget.close()


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/conversations/{id}/execute", {"name": "action_answer_order"}),
    ("POST", "/conversations/{id}/trigger_intent", {"name": "request_human"}),
    ("POST", "/conversations/{id}/messages", {"text": "hi", "sender": "user"}),
    ("POST", "/conversations/{id}/predict", None),
    ("POST", "/model/parse", {"text": "where is ORD-583920"}),
    ("GET", "/domain", None),
    ("GET", "/status", None),
    ("PUT", "/model", {"model_file": "/nonexistent/model.tar.gz"}),
])
def test_no_other_api_call_works_without_the_token(stack, method, path, body):
    response = call(stack, method, path.format(id="attacker-conversation"), None, body)
    assert response.status_code in (401, 403)


def test_the_rest_channel_is_not_served(stack):
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "attacker", "message": "where is ORD-583920"},
                          timeout=30)
    assert response.status_code == 404


@pytest.mark.parametrize("token", NO_TOKEN, ids=["none", "wrong", "empty"])
async def test_the_gateway_channel_refuses_to_speak_for_a_customer_without_the_token(
        stack, token):
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("hello")
    await widget.bot_says()
    before = len(tracker(stack, widget.conversation_id)["events"])
    response = call(stack, "POST", "/webhooks/gateway/webhook", token,
                    {"sender": widget.conversation_id, "message": "what is my order status?"})
    assert response.status_code == 401
    assert len(tracker(stack, widget.conversation_id)["events"]) == before
    await widget.close()


def test_the_token_is_on_no_command_line(stack):
    """`--auth-token` on the command line would show it to every user of the machine."""
    token = stack.env["RASA_AUTH_TOKEN"].encode()
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        assert token not in command


def test_rasa_cannot_be_reached_from_another_machine(stack, outward_address):
    port = int(stack.rasa_url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection((outward_address, port), timeout=3).close()


def test_rasa_refuses_to_start_without_its_secrets(monkeypatch):
    from rasa.utils.endpoints import EndpointConfig

    from nlu.gateway_channel import GatewayInput
    from scripts.rasa_server import rasa_arguments

    monkeypatch.setenv("RASA_AUTH_TOKEN", "")
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN is not set"):
        rasa_arguments(["--model", "m.tar.gz"])
    for token, secret in (("", "s"), ("t", ""), ("", "")):
        with pytest.raises(ValueError, match="auth_token and callback_secret"):
            GatewayInput.from_credentials({"url": "http://127.0.0.1:9/rasa/callback",
                                           "auth_token": token, "callback_secret": secret})
    assert isinstance(GatewayInput(EndpointConfig("http://127.0.0.1:9"), "t", "s"), GatewayInput)


def test_no_internal_secret_reaches_the_logs(stack):
    """After all the calls above, refused and accepted, no process logged a secret."""
    logs = {service: log_of(stack, service) for service in ("actions", "rasa", "gateway")}
    for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "CALLBACK_SECRET"):
        for service, text in logs.items():
            assert stack.env[name] not in text, (name, service)
