"""A correctly signed WhatsApp notification nested deeper than the JSON parser's stack is a
400 (Meta never sends one), not a 500; the webhook keeps working afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from handoff.app import create_app
from store import settings
from tests.channels.whatsapp.payloads import notification, signed, status, whatsapp_env


@pytest.fixture
def webhook(shop_db, monkeypatch) -> Iterator[TestClient]:
    # Nothing is sent to WhatsApp here: the Graph API address is never reached.
    for key, value in whatsapp_env("http://127.0.0.1:9").items():
        monkeypatch.setenv(key, value)
    settings.get_settings.cache_clear()
    with TestClient(create_app(idle_sweeper=False), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"object": ' + b'{"a": ' * 20_000 + b"1" + b"}" * 20_000 + b"}",
], ids=["arrays", "objects"])
def test_deeply_nested_signed_body_is_a_bad_request(webhook, body):
    raw, headers = signed(body)
    response = webhook.post("/webhooks/whatsapp", content=raw, headers=headers)
    assert response.status_code == 400
    raw, headers = signed(notification(statuses=[status("wamid.unknown", "delivered")]))
    assert webhook.post("/webhooks/whatsapp", content=raw, headers=headers).status_code == 200
