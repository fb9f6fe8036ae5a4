"""The inbox's Mine / Queue / Resolved views, search by customer, order number or text,
assignment to a named agent by ops and admins, the team list, and summaries per language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import db
from store.models import Agent, Handoff, Role, utcnow
from tests.handoff.conftest import add_agent, add_handoff


def ids(client, login, query: str) -> list[int]:  # noqa: ANN001
    response = client.get(f"/api/v1/handoffs?{query}", headers=login.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def claim(client, login, handoff_id: int) -> None:  # noqa: ANN001
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=login.headers).status_code == 200


def test_views_split_mine_the_queue_and_what_was_just_resolved(client, rina, budi):
    waiting, rinas, budis, done, long_done = (add_handoff(name) for name in "abcde")
    claim(client, rina, rinas)
    claim(client, budi, budis)
    for handoff_id in (done, long_done):
        claim(client, rina, handoff_id)
        assert client.post(f"/api/v1/handoffs/{handoff_id}/resolve",
                           headers=rina.headers).status_code == 200
    with db.session_scope() as session:  # resolved two days ago: history, not the view
        session.get(Handoff, long_done).resolved_at = utcnow() - timedelta(days=2)
    assert ids(client, rina, "view=mine") == [rinas]
    assert ids(client, budi, "view=mine") == [budis]
    assert ids(client, rina, "view=queue") == [waiting]
    assert ids(client, rina, "view=resolved") == [done]
    assert client.get("/api/v1/handoffs?view=all", headers=rina.headers).status_code == 422


@pytest.mark.parametrize("query,wanted", [
    ("Siti", ["siti"]),  # customer name
    ("rahayu@EXAMPLE", ["siti"]),  # email, any case
    ("0812 3456 7890", ["siti"]),  # phone as typed, stored as +6281234567890
    ("ORD-583920", ["order"]),  # order number in the escalation context
    ("583920", ["order"]),
    ("kardus penyok", ["text"]),  # any message text
    ("50%", []),  # % is literal
])
def test_search_finds_by_customer_order_number_or_text(client, rina, query, wanted):
    created = {
        "siti": add_handoff("siti", customer={"name": "Siti Rahayu",
                                              "email": "siti.rahayu@example.com",
                                              "phone": "+6281234567890"}),
        "order": add_handoff("order", customer_text="Halo"),
        "text": add_handoff("text", customer_text="Kardus penyok waktu datang"),
    }
    with db.session_scope() as session:
        session.get(Handoff, created["order"]).context = {
            "reason": "order_delayed", "slots": {"order_id": "ORD-583920"}}
    from urllib.parse import quote

    found = ids(client, rina, f"q={quote(query)}")
    assert found == [created[name] for name in wanted]


def test_search_covers_every_state_and_ignores_views(client, rina):
    handoff_id = add_handoff("old", customer_text="barang retur minggu lalu")
    claim(client, rina, handoff_id)
    client.post(f"/api/v1/handoffs/{handoff_id}/resolve", headers=rina.headers)
    assert ids(client, rina, "q=retur&view=queue") == [handoff_id]


def test_ops_assign_a_handoff_to_a_named_agent_who_then_holds_it(client, rina, budi, ops):
    handoff_id = add_handoff()
    team = client.get("/api/v1/team", headers=ops.headers).json()["items"]
    rina_id = next(member["id"] for member in team if member["display_name"] == "Rina")
    response = client.post(f"/api/v1/handoffs/{handoff_id}/assign", json={"agent_id": rina_id},
                           headers=ops.headers)
    assert response.status_code == 200, response.text
    assert response.json()["agent"]["display_name"] == "Rina"
    assert ids(client, rina, "view=mine") == [handoff_id]
    # Reassigned from Rina to Budi: he holds it, his times start now.
    response = client.post(f"/api/v1/handoffs/{handoff_id}/assign",
                           json={"agent_id": budi.id}, headers=ops.headers)
    assert response.json()["status"] == "assigned" and response.json()["agent"]["id"] == budi.id
    assert ids(client, rina, "view=mine") == [] and ids(client, budi, "view=mine") == [handoff_id]
    messages = client.get(f"/api/v1/conversations/{response.json()['conversation_id']}",
                          headers=ops.headers).json()["messages"]
    assert [m["text"] for m in messages if m["sender"] == "system"] == [
        "Rina bergabung dalam percakapan.", "Budi bergabung dalam percakapan."]


def test_only_ops_and_admins_assign_and_only_to_active_accounts(client, rina, budi, ops):
    handoff_id = add_handoff()
    assign = lambda login, agent_id: client.post(  # noqa: E731
        f"/api/v1/handoffs/{handoff_id}/assign", json={"agent_id": agent_id},
        headers=login.headers)
    assert assign(rina, budi.id).status_code == 403
    with db.session_scope() as session:
        session.get(Agent, budi.id).is_active = False
    assert assign(ops, budi.id).status_code == 422
    assert assign(ops, 424242).status_code == 422
    assert assign(ops, 0).status_code == 422
    assert client.post("/api/v1/handoffs/999/assign", json={"agent_id": rina.id},
                       headers=ops.headers).status_code == 404
    claim(client, rina, handoff_id)
    client.post(f"/api/v1/handoffs/{handoff_id}/resolve", headers=rina.headers)
    assert assign(ops, rina.id).status_code == 409


def test_team_lists_active_accounts_by_name_with_who_is_online(client, rina, budi):
    client.post("/api/v1/agents/heartbeat", headers=rina.headers)
    admin = add_agent("adi", Role.admin, name="Adi")
    with db.session_scope() as session:
        session.get(Agent, budi.id).is_active = False
    team = client.get("/api/v1/team", headers=admin.headers).json()["items"]
    assert [(m["display_name"], m["online"]) for m in team] == [("Adi", False), ("Rina", True)]
    assert "password_hash" not in team[0]


def test_the_summary_comes_in_each_staff_language(client, rina):
    handoff_id = add_handoff(reason="order_delayed")
    with db.session_scope() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.summary = "Customer wants to check the status of an order (order ORD-1, verified)."
        handoff.context = {
            "reason": "order_delayed", "channel": "web", "language": "id",
            "slots": {"order_id": "ORD-1", "order_verified": True},
            "intents": [{"intent": "check_order_status", "confidence": 0.9,
                         "text": "pesanan ORD-1 belum sampai"},
                        {"intent": "request_human", "confidence": 0.9, "text": "/request_human"}]}
    summaries = client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers
                           ).json()["summaries"]
    assert summaries == [
        {"language": "en",
         "summary": "Customer wants to check the status of an order (order ORD-1, verified)."},
        {"language": "id",
         "summary": "Pelanggan ingin mengecek status pesanan (pesanan ORD-1, terverifikasi). "
                    "Dialihkan karena pesanan terlambat. Bahasa: Indonesia, kanal: web. "
                    'Pesan terakhir: "pesanan ORD-1 belum sampai"'}]


def test_a_handoff_without_context_is_summarised_from_its_own_columns(client, rina):
    handoff_id = add_handoff(reason="customer_request")
    with db.session_scope() as session:
        session.get(Handoff, handoff_id).context = {}
    summaries = client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers
                           ).json()["summaries"]
    assert summaries == [
        {"language": "en", "summary": "Customer wrote: Paket saya belum sampai, email saya "
                                      "[email]"},
        {"language": "id", "summary": "Pelanggan. Dialihkan karena pelanggan meminta bicara "
                                      "dengan petugas. Bahasa: Indonesia, kanal: web."}]
