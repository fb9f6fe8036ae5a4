"""The agent inbox API: queue, claim, reply, notes, typing, transfer, resolve."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from handoff.conversations import flow
from handoff.inbox import assignment
from handoff.schemas import MAX_MESSAGE_CHARS
from store import db
from store.models import (
    Agent,
    Conversation,
    Handoff,
    HandoffStatus,
    Message,
    Note,
    Owner,
    Role,
    Sender,
    utcnow,
)
from tests.handoff.conftest import add_agent, add_handoff, stored


def claim(client, login, handoff_id):  # noqa: ANN001, ANN201
    return client.post(f"/api/v1/handoffs/{handoff_id}/claim", headers=login.headers)


def test_queue_is_ordered_by_priority_then_longest_waiting(client, rina):
    now = utcnow()
    newer = add_handoff("a", reason="customer_request", created_at=now - timedelta(minutes=1))
    older = add_handoff("b", reason="customer_request", created_at=now - timedelta(minutes=9))
    urgent = add_handoff("c", reason="complaint", created_at=now)
    response = client.get("/api/v1/handoffs", headers=rina.headers)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [urgent, older, newer]


def test_status_filter_open_includes_assigned_but_not_resolved(client, rina):
    queued, assigned = add_handoff("a"), add_handoff("b")
    assert claim(client, rina, assigned).status_code == 200
    ids = lambda status: [i["id"] for i in client.get(  # noqa: E731
        f"/api/v1/handoffs?status={status}", headers=rina.headers).json()["items"]]
    assert sorted(ids("open")) == sorted([queued, assigned])
    assert ids("queued") == [queued]
    assert ids("assigned") == [assigned]
    assert ids("resolved") == []


def test_unknown_status_filter_is_a_422_naming_status(client, rina):
    response = client.get("/api/v1/handoffs?status=lost", headers=rina.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_queue_needs_a_token(client):
    assert client.get("/api/v1/handoffs").status_code == 401


@pytest.mark.parametrize("action", ["claim", "transfer", "resolve", "typing"])
def test_unknown_handoff_is_404(client, rina, action):
    assert client.post(f"/api/v1/handoffs/999/{action}", headers=rina.headers).status_code == 404


def test_unknown_handoff_detail_is_404(client, rina):
    response = client.get("/api/v1/handoffs/999", headers=rina.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Handoff not found"}


def test_a_handoff_is_queued_for_agents_only_once_the_customer_was_told(client, rina):
    # Created mid-turn by the action server: the bot's "connecting you…" is not stored yet.
    handoff_id = add_handoff(announced=False)
    queue = lambda status: [i["id"] for i in client.get(  # noqa: E731
        f"/api/v1/handoffs?status={status}", headers=rina.headers).json()["items"]]
    assert queue("open") == [] and queue("queued") == []
    refused = claim(client, rina, handoff_id)
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Handoff is still being created; try again in a moment"}
    assert stored(Handoff, id=handoff_id)[0].status == HandoffStatus.queued
    assert stored(Message, conversation_id="conv-1", sender=Sender.system) == []
    # Opening it by id still works (ops review).
    assert client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers).status_code == 200

    client.portal.call(flow.announce, "conv-1")  # the bot's turn ended
    assert queue("open") == [handoff_id] and queue("queued") == [handoff_id]
    assert claim(client, rina, handoff_id).status_code == 200


def test_claim_assigns_and_tells_the_customer_who_joined(client, rina):
    handoff_id = add_handoff()
    response = claim(client, rina, handoff_id)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "assigned"
    assert body["agent"]["username"] == "rina"
    assert body["assigned_at"] is not None
    system = stored(Message, conversation_id="conv-1", sender=Sender.system)
    assert [m.text for m in system] == ["Rina bergabung dalam percakapan."]


def test_claiming_a_claimed_handoff_is_409_and_keeps_the_first_agent(client, rina, budi):
    handoff_id = add_handoff()
    assert claim(client, rina, handoff_id).status_code == 200
    response = claim(client, budi, handoff_id)
    assert response.status_code == 409
    assert "another agent" in response.json()["detail"]
    assert stored(Handoff, id=handoff_id)[0].agent_id == rina.id


def test_claiming_ones_own_handoff_again_changes_nothing(client, rina):
    handoff_id = add_handoff()
    first = claim(client, rina, handoff_id).json()
    again = claim(client, rina, handoff_id)
    assert again.status_code == 200
    assert again.json()["assigned_at"] == first["assigned_at"]


def test_two_agents_racing_cannot_both_claim(client, rina, budi):
    handoff_id = add_handoff()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def try_claim(login) -> None:  # noqa: ANN001
        with db.session_scope() as session:
            agent = session.get(Agent, login.id)
            barrier.wait()
            try:
                assignment.claim_handoff(session, handoff_id, agent)
                outcomes[login.username] = "won"
            except assignment.Conflict:
                outcomes[login.username] = "conflict"

    threads = [threading.Thread(target=try_claim, args=(who,)) for who in (rina, budi)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "won"]
    winner = rina.id if outcomes["rina"] == "won" else budi.id
    assert stored(Handoff, id=handoff_id)[0].agent_id == winner


def test_agent_reply_is_stored_and_returned(client, rina):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", headers=rina.headers,
                           json={"text": "  Halo Kak, saya bantu cek ya  "})
    assert response.status_code == 201
    message = response.json()
    assert message["sender"] == "agent"
    assert message["text"] == "Halo Kak, saya bantu cek ya"
    assert message["agent"] == {"id": rina.id, "display_name": "Rina"}
    assert stored(Handoff, id=handoff_id)[0].first_agent_reply_at is not None


def test_html_in_a_reply_is_stored_verbatim(client, rina):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    text = '<script>alert("x")</script> <b>bold</b> & more'
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", headers=rina.headers,
                           json={"text": text})
    assert response.status_code == 201
    assert [m.text for m in stored(Message, sender=Sender.agent)] == [text]


def test_replying_without_claiming_is_409_and_stores_nothing(client, rina, budi):
    handoff_id = add_handoff()
    claim(client, budi, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", headers=rina.headers,
                           json={"text": "halo"})
    assert response.status_code == 409
    assert stored(Message, sender=Sender.agent) == []


@pytest.mark.parametrize("body", [
    {"text": "x" * (MAX_MESSAGE_CHARS + 1)},
    {"text": "   "},
    {"text": ""},
    {"text": None},
    {},
    {"message": "hi"},
])
def test_bad_reply_bodies_are_422_naming_text_and_store_nothing(client, rina, body):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", headers=rina.headers,
                           json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "text"]
    assert stored(Message, sender=Sender.agent) == []


def test_a_reply_of_exactly_the_limit_is_accepted(client, rina):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", headers=rina.headers,
                           json={"text": "y" * MAX_MESSAGE_CHARS})
    assert response.status_code == 201


def test_malformed_json_is_422(client, rina):
    handoff_id = add_handoff()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/notes", headers={
        **rina.headers, "Content-Type": "application/json"}, content=b"{not json")
    assert response.status_code == 422


def test_notes_are_internal_and_shown_in_the_detail(client, rina, budi):
    handoff_id = add_handoff()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/notes", headers=budi.headers,
                           json={"text": "Customer called twice <i>before</i>"})
    assert response.status_code == 201
    assert response.json()["agent"]["username"] == "budi"
    detail = client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers).json()
    assert [n["text"] for n in detail["notes"]] == ["Customer called twice <i>before</i>"]
    assert stored(Message, sender=Sender.agent) == []


def test_note_on_unknown_handoff_is_404_and_too_long_note_is_422(client, rina):
    assert client.post("/api/v1/handoffs/999/notes", headers=rina.headers,
                       json={"text": "x"}).status_code == 404
    handoff_id = add_handoff()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/notes", headers=rina.headers,
                           json={"text": "n" * (MAX_MESSAGE_CHARS + 1)})
    assert response.status_code == 422
    assert stored(Note) == []


def test_typing_needs_the_handoff_claimed(client, rina):
    handoff_id = add_handoff()
    assert client.post(f"/api/v1/handoffs/{handoff_id}/typing",
                       headers=rina.headers).status_code == 409
    claim(client, rina, handoff_id)
    assert client.post(f"/api/v1/handoffs/{handoff_id}/typing",
                       headers=rina.headers).status_code == 204


def test_transfer_puts_the_handoff_back_in_the_queue(client, rina, budi):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/transfer", headers=rina.headers)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["agent"]) == ("queued", None)
    assert claim(client, budi, handoff_id).status_code == 200


def test_only_the_holder_or_ops_may_transfer(client, rina, budi, ops):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/transfer", headers=budi.headers)
    assert response.status_code == 409
    response = client.post(f"/api/v1/handoffs/{handoff_id}/transfer", headers=ops.headers)
    assert response.status_code == 200


def test_transferring_a_queued_handoff_is_409(client, rina):
    handoff_id = add_handoff()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/transfer", headers=rina.headers)
    assert response.status_code == 409


def test_resolve_returns_the_conversation_to_the_bot_and_asks_the_survey(
    client, rina, surveys
):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/resolve", headers=rina.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert stored(Conversation, id="conv-1")[0].owner == Owner.bot
    client.portal.call(_drain)
    assert surveys == [("conv-1", "resolved")]


async def _drain() -> None:
    from handoff.conversations import flow

    await flow.drain_background()


def test_resolving_someone_elses_handoff_is_409(client, rina, budi):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    response = client.post(f"/api/v1/handoffs/{handoff_id}/resolve", headers=budi.headers)
    assert response.status_code == 409
    assert stored(Handoff, id=handoff_id)[0].status == HandoffStatus.assigned


def test_claiming_a_resolved_handoff_is_409(client, rina, budi):
    handoff_id = add_handoff()
    claim(client, rina, handoff_id)
    client.post(f"/api/v1/handoffs/{handoff_id}/resolve", headers=rina.headers)
    response = claim(client, budi, handoff_id)
    assert response.status_code == 409
    assert "resolved" in response.json()["detail"]


def test_queue_rows_are_redacted_until_the_agent_claims(client, rina):
    handoff_id = add_handoff(customer={"name": "Siti", "email": "siti@example.com",
                                       "phone": "+6281234567890"})
    before = client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers).json()
    assert before["customer"]["email"] == "[email]"
    assert "siti@example.com" not in str(before)
    after = claim(client, rina, handoff_id).json()
    assert after["customer"]["email"] == "siti@example.com"
    assert after["context"]["transcript"][0]["text"].endswith("siti@example.com")


def test_heartbeat_marks_the_agent_online(client, rina):
    response = client.post("/api/v1/agents/heartbeat", headers=rina.headers)
    assert response.status_code == 204
    assert stored(Agent, id=rina.id)[0].last_seen_at is not None


def test_ops_and_admin_may_use_the_inbox(client):
    admin = add_agent("ana", Role.admin)
    handoff_id = add_handoff()
    assert claim(client, admin, handoff_id).status_code == 200
