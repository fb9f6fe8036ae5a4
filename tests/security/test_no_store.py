"""Answers that carry personal data (conversations, transcripts, exports, handoffs, the
event stream, tokens) say Cache-Control: no-store, so no browser or proxy keeps a copy."""

from __future__ import annotations

import asyncio

import pytest

from handoff.web_security import SecurityHeaders
from tests.handoff.conftest import add_handoff


@pytest.mark.parametrize("path", [
    "/api/v1/conversations",
    "/api/v1/conversations/a1",
    "/api/v1/conversations/export",
    "/api/v1/conversations/export?format=jsonl",
    "/api/v1/handoffs",
    "/api/v1/metrics",
    "/api/v1/auth/me",
])
def test_personal_data_answers_are_not_stored(client, people, three_conversations, path):
    response = client.get(path, headers=people["ops"].headers)
    assert response.status_code == 200
    assert response.headers.get_list("Cache-Control") == ["no-store"]


def test_a_handoff_and_the_login_token_are_not_stored(client, people):
    handoff_id = add_handoff()
    response = client.get(f"/api/v1/handoffs/{handoff_id}", headers=people["rina"].headers)
    assert response.headers["Cache-Control"] == "no-store"
    refused = client.get("/api/v1/conversations")  # errors too: they may echo input
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"


def test_the_event_stream_is_not_stored_even_if_the_route_says_no_cache():
    sent: list[dict] = []

    async def event_stream(scope, receive, send):  # noqa: ANN001, ANN202
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"),
                                (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": b": hello\n\n"})

    async def record(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/api/v1/events", "method": "GET", "headers": []}
    asyncio.run(SecurityHeaders(event_stream)(scope, None, record))
    headers = [(k, v) for k, v in sent[0]["headers"] if k == b"cache-control"]
    assert headers == [(b"cache-control", b"no-store")]


def test_the_public_pages_and_the_widget_keep_their_own_caching(client):
    assert "no-store" not in client.get("/static/widget.js").headers.get("Cache-Control", "")
