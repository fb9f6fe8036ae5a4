"""The webhook's edge: the handshake, signatures on raw bytes, size and JSON checks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from handoff.channels.whatsapp.inbound import MAX_BODY_BYTES
from store.db import session_scope
from store.models import Customer, Message
from store.settings import get_settings
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import deliver
from tests.channels.whatsapp.payloads import VERIFY_TOKEN, notification, signed


def stored_messages() -> int:
    with session_scope() as session:
        return session.execute(select(func.count(Message.id))).scalar_one()


def test_handshake_answers_the_challenge_as_plain_text(client):
    response = client.get("/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
def test_handshake_refused_without_the_verify_token(client, params):
    assert client.get("/webhooks/whatsapp", params=params).status_code == 403


def test_unsigned_notification_is_refused_and_nothing_stored(client, bot):
    response = client.post("/webhooks/whatsapp",
                           json=notification(payloads.text("halo")))
    assert response.status_code == 401
    assert stored_messages() == 0 and bot["messages"] == []


def test_wrongly_signed_notification_is_refused_and_nothing_stored(client, bot):
    raw, headers = signed(notification(payloads.text("halo")), secret="not-the-secret")
    assert client.post("/webhooks/whatsapp", content=raw, headers=headers).status_code == 403
    # The signature covers the exact bytes: the same JSON re-serialised does not match.
    body = notification(payloads.text("halo"))
    _raw, headers = signed(body)
    tampered = json.dumps(body, indent=1).encode()
    assert client.post("/webhooks/whatsapp", content=tampered, headers=headers).status_code == 403
    assert stored_messages() == 0 and bot["messages"] == []


def test_signed_non_json_is_a_bad_request(client):
    raw, headers = signed(b"{not json")
    assert client.post("/webhooks/whatsapp", content=raw, headers=headers).status_code == 400


def test_oversized_body_is_refused(client):
    raw, headers = signed(b"[" + b" " * MAX_BODY_BYTES + b"]")
    response = client.post("/webhooks/whatsapp", content=raw, headers=headers)
    assert response.status_code == 413
    assert stored_messages() == 0


@pytest.mark.parametrize("body", [
    [], "text", {"entry": "x"}, {"entry": [{"changes": [{"value": {"messages": [1, None]}}]}]},
    {"entry": [{"changes": [{"value": {"messages": [{"from": "62x", "id": "w", "type": "text"}],
                                       "statuses": [{"id": 5}]}}]}]},
    notification(payloads.message("text", {"body": None})),
    notification(payloads.message("interactive", {"type": "nfm_reply"})),
])
def test_strange_but_signed_json_is_acknowledged_and_nothing_crashes(client, bot, body):
    assert deliver(client, body).status_code == 200
    assert bot["messages"] == []


def test_webhook_says_clearly_when_whatsapp_is_not_configured(client, monkeypatch):
    monkeypatch.delenv("WHATSAPP_APP_SECRET")
    get_settings.cache_clear()
    response = client.post("/webhooks/whatsapp", json={})
    assert response.status_code == 503
    assert "WHATSAPP_APP_SECRET" in response.json()["detail"]
    assert client.get("/webhooks/whatsapp").status_code == 503


def test_first_message_creates_a_whatsapp_customer(client):
    assert deliver(client, notification(payloads.text("halo"), name="Rina W")).status_code == 200
    with session_scope() as session:
        customer = session.execute(select(Customer)).scalar_one()
        assert (customer.wa_id, customer.phone, customer.name) == (
            payloads.WA_ID, "+6281122334455", "Rina W")
