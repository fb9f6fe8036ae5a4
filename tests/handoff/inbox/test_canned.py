"""Canned replies: both languages, placeholders filled from the handoff (or the reply refused
before it reaches the customer), agents' own replies and shared ones managed by ops."""

from __future__ import annotations

import pytest

from handoff.inbox.canned import starter_replies
from handoff.inbox.placeholders import UnknownPlaceholder, check_template
from store import db
from store.models import Handoff, Message, Role, Sender
from tests.handoff.conftest import add_agent, add_handoff, stored

ORDER = {"order_id": "ORD-583920", "customer_name": "Rina Wijaya"}


def test_every_starter_reply_exists_in_both_languages_with_placeholders_that_fill():
    replies = starter_replies()
    by_language = {lang: [r["key"] for r in replies if r["language"] == lang]
                   for lang in ("id", "en")}
    assert by_language["id"] == by_language["en"]
    assert 8 <= len(by_language["en"]) <= 12
    text = " ".join(r["text"] for r in replies)
    assert "{agent_name}" in text and "{order_id}" in text and "{customer_name}" in text
    for old_name in ("{nama_agen}", "{nomor_pesanan}", "{order_number}"):
        assert old_name not in text
    assert " Anda" not in " ".join(r["text"] for r in replies if r["language"] == "id")


def test_unknown_placeholders_are_named():
    with pytest.raises(UnknownPlaceholder, match=r"\{nama_agen\}.*use \{agent_name\}"):
        check_template("Halo, saya {nama_agen}")


def test_agents_get_the_replies_of_one_language(client, shop_db):
    login = add_agent("rina")
    items = client.get("/api/v1/canned-replies?language=en", headers=login.headers).json()["items"]
    assert {item["language"] for item in items} == {"en"}
    greeting = next(item for item in items if item["key"] == "greeting")
    assert greeting["shared"] and not greeting["editable"]  # agents don't edit shared ones
    both = client.get("/api/v1/canned-replies", headers=login.headers).json()["items"]
    assert {item["language"] for item in both} == {"id", "en"}


@pytest.mark.parametrize("query,status", [("language=fr", 422), ("", 401)])
def test_bad_language_is_422_and_no_token_401(client, shop_db, query, status):
    headers = add_agent("rina").headers if status == 422 else {}
    response = client.get(f"/api/v1/canned-replies?{query}", headers=headers)
    assert response.status_code == status


def held_handoff(client, *, order: dict | None, language: str = "id") -> tuple[int, dict]:
    handoff_id = add_handoff("conv-1", customer={"name": None})
    with db.session_scope() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.context = {**handoff.context, "order": order}
        handoff.conversation.language = language
    rina = add_agent("rina", name="Rina")
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200
    return handoff_id, rina.headers


def test_replies_are_filled_for_the_handoff_in_its_language(client, shop_db):
    handoff_id, rina = held_handoff(client, order=ORDER, language="en")
    items = {item["key"]: item for item in client.get(
        f"/api/v1/handoffs/{handoff_id}/canned-replies", headers=rina).json()["items"]}
    assert items["greeting"]["language"] == "en"
    assert items["greeting"]["text"].startswith("Hi, this is Rina from")
    assert "order ORD-583920 to our warehouse" in items["cancel_request"]["text"]
    assert items["greeting_by_name"]["text"].startswith("Hi Rina Wijaya, this is Rina")
    assert all(item["missing"] == [] for item in items.values())


def test_a_reply_whose_placeholder_cannot_be_filled_is_refused_before_sending(client, shop_db):
    handoff_id, rina = held_handoff(client, order=None)  # no name, no order known
    items = {item["key"]: item for item in client.get(
        f"/api/v1/handoffs/{handoff_id}/canned-replies", headers=rina).json()["items"]}
    cancel = items["cancel_request"]
    assert cancel["missing"] == ["order_id"] and "{order_id}" in cancel["text"]
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages",
                           json={"text": cancel["text"]}, headers=rina)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "This reply needs {order_id} (an order number), which this conversation does not have "
        "yet: replace it with the right words before sending.")
    assert [m for m in stored(Message) if m.sender == Sender.agent] == []  # nothing went out

    sent = client.post(f"/api/v1/handoffs/{handoff_id}/messages",
                       json={"text": items["greeting"]["text"] + " {smile}"}, headers=rina)
    assert sent.status_code == 201
    assert sent.json()["text"].startswith("Halo, saya Rina dari tim layanan pelanggan.")
    assert sent.json()["text"].endswith("{smile}")  # other braces are the agent's own


def test_agents_manage_their_own_replies_and_ops_the_shared_ones(client, shop_db):
    rina, budi = add_agent("rina"), add_agent("budi")
    ops = add_agent("olivia", Role.ops)
    body = {"title": "Resi", "language": "id", "text": "Nomor resi {order_id} sudah aktif, Kak."}
    mine = client.post("/api/v1/canned-replies", json=body, headers=rina.headers)
    assert mine.status_code == 201
    assert (mine.json()["shared"], mine.json()["editable"]) == (False, True)
    reply_id = mine.json()["id"]
    assert reply_id not in [i["id"] for i in client.get(
        "/api/v1/canned-replies", headers=budi.headers).json()["items"]]  # private to Rina
    assert client.patch(f"/api/v1/canned-replies/{reply_id}", json={"title": "x"},
                        headers=budi.headers).status_code == 404
    changed = client.patch(f"/api/v1/canned-replies/{reply_id}",
                           json={"text": "Resi {order_id} aktif."}, headers=rina.headers)
    assert changed.json()["text"] == "Resi {order_id} aktif."

    assert client.post("/api/v1/canned-replies", json={**body, "shared": True},
                       headers=rina.headers).status_code == 403
    shared = client.post("/api/v1/canned-replies", json={**body, "shared": True},
                         headers=ops.headers)
    assert shared.status_code == 201 and shared.json()["shared"]
    assert shared.json()["id"] in [i["id"] for i in client.get(
        "/api/v1/canned-replies", headers=budi.headers).json()["items"]]
    greeting = next(i for i in client.get("/api/v1/canned-replies?language=id",
                                          headers=rina.headers).json()["items"]
                    if i["key"] == "greeting")
    assert client.delete(f"/api/v1/canned-replies/{greeting['id']}",
                         headers=rina.headers).status_code == 403
    assert client.delete(f"/api/v1/canned-replies/{greeting['id']}",
                         headers=ops.headers).status_code == 204
    after = client.get("/api/v1/canned-replies?language=id", headers=rina.headers).json()
    assert "greeting" not in [i["key"] for i in after["items"]]  # and not seeded again
    assert client.delete(f"/api/v1/canned-replies/{reply_id}",
                         headers=rina.headers).status_code == 204


@pytest.mark.parametrize("body,detail", [
    ({"title": "x", "language": "id", "text": "Halo {nama_agen}"}, "Unknown placeholder"),
    ({"title": "", "language": "id", "text": "Halo"}, None),
    ({"title": "x", "language": "fr", "text": "Halo"}, None),
    ({"title": "x", "language": "id", "text": "   "}, None),
])
def test_bad_canned_replies_are_422(client, shop_db, body, detail):
    response = client.post("/api/v1/canned-replies", json=body, headers=add_agent("rina").headers)
    assert response.status_code == 422
    if detail:
        assert detail in response.json()["detail"]
