"""Fixtures of the WhatsApp tests: the fake Graph API, the channel's environment, a gateway
app with the bot replaced by a recorder, and the real stack wired to the fake Graph API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from handoff.channels.whatsapp import graph_api
from handoff.conversations import flow, rasa_client
from store.settings import get_settings
from tests.channels.whatsapp.fake_graph import FakeGraphApi, start_fake_graph
from tests.channels.whatsapp.payloads import signed, whatsapp_env
from tests.e2e.conftest import stack  # noqa: F401  (the real stack, with stack_extra_env below)


@pytest.fixture(scope="session")
def fake_graph_server() -> Iterator[FakeGraphApi]:
    fake, server = start_fake_graph()
    yield fake
    server.stop()


@pytest.fixture
def graph(fake_graph_server) -> FakeGraphApi:
    fake_graph_server.reset()
    return fake_graph_server


@pytest.fixture(scope="session")
def stack_extra_env(fake_graph_server) -> dict[str, str]:
    """The stack's gateway sends WhatsApp messages to the fake Graph API."""
    return whatsapp_env(fake_graph_server.base_url)


@pytest.fixture
def whatsapp_enabled(graph, monkeypatch) -> Iterator[None]:
    for key, value in whatsapp_env(graph.base_url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(graph_api, "BACKOFF_SECONDS", 0.01)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def bot(monkeypatch) -> dict[str, list]:
    """What the gateway hands to Rasa: messages and survey requests, recorded, not sent."""
    seen: dict[str, list] = {"messages": [], "surveys": []}

    async def send_to_bot(conversation_id: str, text: str, metadata: dict[str, Any],
                          message_id: str | None = None) -> rasa_client.BotTurn:
        seen["messages"].append((conversation_id, text, metadata))
        return rasa_client.BotTurn()

    async def resume_with_survey(conversation_id: str, trigger: str) -> None:
        seen["surveys"].append((conversation_id, trigger))

    monkeypatch.setattr(rasa_client, "send_to_bot", send_to_bot)
    monkeypatch.setattr(rasa_client, "resume_with_survey", resume_with_survey)
    return seen


@pytest.fixture
def client(database, whatsapp_enabled, bot) -> Iterator[TestClient]:
    from handoff.app import create_app

    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client


def deliver(client: TestClient, body: dict[str, Any] | bytes) -> Any:
    """POST a signed notification and wait until its background processing is done."""
    raw, headers = signed(body)
    response = client.post("/webhooks/whatsapp", content=raw, headers=headers)
    client.portal.call(flow.drain_background)
    return response
