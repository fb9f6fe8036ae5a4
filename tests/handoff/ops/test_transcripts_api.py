"""Ops conversation search and the conversation detail, redacted unless allowed."""

from __future__ import annotations

import pytest


def ids(client, login, query: str = "") -> list[str]:  # noqa: ANN001
    response = client.get(f"/api/v1/conversations?{query}", headers=login.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("query,expected", [
    ("", ["a3", "a2", "a1"]),
    ("q=50%25", ["a1"]),  # % is a literal, not a wildcard ("500 items" does not match)
    ("q=WHERE IS", ["a1"]),
    ("q=refund", ["a2"]),
    ("channel=whatsapp", ["a2"]),
    ("language=en", ["a3", "a2"]),
    ("reason=complaint", ["a2"]),
    ("ces=6", ["a1"]),
    ("resolved_by=bot", ["a1"]),
    ("resolved_by=human", ["a2"]),
    ("from=2026-11-02&to=2026-11-02", ["a2"]),
    ("from=2026-11-03", ["a3"]),
    ("to=2026-11-01", ["a1"]),
    ("channel=web&language=en", ["a3"]),
    ("q=nothing-like-this", []),
])
def test_filters_select_the_matching_conversations(client, people, three_conversations,
                                                   query, expected):
    assert ids(client, people["ops"], query) == expected


def test_agent_filter_finds_the_agents_conversations(client, people, three_conversations):
    assert ids(client, people["ops"], f"agent_id={people['rina'].id}") == ["a2"]


def test_summaries_carry_outcome_reason_agent_score_and_redacted_preview(
    client, people, three_conversations
):
    items = client.get("/api/v1/conversations", headers=people["ops"].headers).json()["items"]
    a2 = next(item for item in items if item["id"] == "a2")
    assert a2["resolved_by"] == "human" and a2["reason"] == "complaint"
    assert a2["agent"]["username"] == "rina" and a2["ces_score"] == 2
    assert a2["message_count"] == 2
    assert a2["preview"] == "Refund please, my email is [email]"
    assert next(item for item in items if item["id"] == "a3")["resolved_by"] is None


def test_conversations_nobody_wrote_in_are_not_listed_searched_or_exported(
    client, people, three_conversations
):
    from tests.handoff.conftest import add_conversation, nov

    add_conversation("opened-only", created_at=nov(1, 1), customer_id=7)  # no message
    add_conversation("greeted-only", created_at=nov(1, 2), customer_id=7,
                     messages=[("bot", "Where is my order? Ask me anything")])
    ops = people["ops"]
    assert ids(client, ops) == ["a3", "a2", "a1"]
    assert ids(client, ops, "q=where") == ["a1"]
    assert client.get("/api/v1/conversations", headers=ops.headers).json()["total"] == 3
    export = client.get("/api/v1/conversations/export?format=jsonl", headers=ops.headers)
    exported = [line for line in export.text.splitlines() if line]
    assert len(exported) == 3 and "opened-only" not in export.text
    detail = client.get("/api/v1/conversations/a2", headers=ops.headers).json()
    assert [p["id"] for p in detail["previous_conversations"]] == ["a1"]


def test_paging_reports_the_total(client, people, three_conversations):
    response = client.get("/api/v1/conversations?limit=2&offset=2",
                          headers=people["ops"].headers).json()
    assert response["total"] == 3
    assert [item["id"] for item in response["items"]] == ["a1"]


@pytest.mark.parametrize("query,field", [
    ("ces=9", "ces"), ("resolved_by=robot", "resolved_by"), ("limit=0", "limit"),
    ("limit=201", "limit"), ("offset=-1", "offset"), ("from=11/01/2026", "from"),
    ("language=english", "language"), ("agent_id=x", "agent_id"), ("q=" + "x" * 201, "q"),
])
def test_bad_filters_are_422_naming_the_parameter(client, people, query, field):
    response = client.get(f"/api/v1/conversations?{query}", headers=people["ops"].headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_ops_see_a_redacted_transcript_by_default(client, people, three_conversations):
    response = client.get("/api/v1/conversations/a2", headers=people["ops"].headers)
    assert response.status_code == 200
    detail = response.json()
    assert detail["redacted"] is True
    assert detail["messages"][0]["text"] == "Refund please, my email is [email]"
    assert detail["customer"]["email"] == "[email]"
    assert "siti@example.com" not in response.text
    assert detail["survey"]["score"] == 2
    assert [p["id"] for p in detail["previous_conversations"]] == ["a1"]


def test_ops_may_ask_for_the_unredacted_transcript(client, people, three_conversations):
    detail = client.get("/api/v1/conversations/a2?unredacted=true",
                        headers=people["ops"].headers).json()
    assert detail["redacted"] is False
    assert detail["customer"]["email"] == "siti@example.com"


def test_agents_may_not_unredact_conversations_they_do_not_work(client, people,
                                                                 three_conversations):
    response = client.get("/api/v1/conversations/a2?unredacted=true",
                          headers=people["rina"].headers)
    assert response.status_code == 403
    redacted = client.get("/api/v1/conversations/a3", headers=people["rina"].headers).json()
    assert redacted["messages"][0]["text"] == "I bought 500 items, call [phone]"


def test_the_agent_working_the_handoff_sees_the_real_data(client, people, three_conversations):
    rina = people["rina"]
    handoff_id = client.get("/api/v1/handoffs", headers=rina.headers).json()["items"][0]["id"]
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200
    detail = client.get("/api/v1/conversations/a3", headers=rina.headers).json()
    assert detail["redacted"] is False
    assert detail["messages"][0]["text"] == "I bought 500 items, call 0812-3456-7890"


def test_unknown_conversation_is_404(client, people):
    response = client.get("/api/v1/conversations/nope", headers=people["ops"].headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Conversation not found"}
