"""`customer --export / --delete`: one person's data, all of it, and nobody else's."""

from __future__ import annotations

import json

import pytest

from handoff.ops.privacy import (
    REMOVED,
    CustomerNotFound,
    PrivacyError,
    delete_customer,
    export_customer,
    find_customers,
)
from store import db
from store.models import Conversation, Customer, Handoff, Message, Note, SurveyAnswer
from store.orders.models import Order, OrderRequest
from tests.handoff.conftest import stored
from tests.privacy.conftest import BUDI, SITI


def _export(**where) -> dict:
    with db.session_scope() as session:
        return export_customer(session, find_customers(session, **where))


def _delete(**where):
    with db.session_scope() as session:
        return delete_customer(session, find_customers(session, **where))


def test_export_holds_everything_about_the_customer(two_customers):
    data = _export(email="Siti@Example.com")
    [customer] = data["customers"]
    assert {key: customer[key] for key in SITI} == SITI
    by_id = {conversation["id"]: conversation for conversation in data["conversations"]}
    assert sorted(by_id) == ["siti-1", "siti-2"]
    assert [m["text"] for m in by_id["siti-1"]["messages"]] == [
        "Alamat saya Jl. Melati 5, siti@example.com", "Baik, kami ganti alamatnya"]
    assert by_id["siti-2"]["messages"][1]["buttons"] == [{"title": "Track",
                                                          "payload": "/track"}]
    [handoff] = by_id["siti-1"]["handoffs"]
    assert handoff["summary"] == "Siti wants a new address"
    assert handoff["context"] == {"transcript": [{"text": "Jl. Melati 5"}]}
    assert [note["text"] for note in handoff["notes"]] == ["Siti's new address: Jl. Melati 5"]
    [answer] = by_id["siti-1"]["survey_answers"]
    assert (answer["score"], answer["comment"]) == (4, "Agent Rina was kind, call me at 0812")
    [order] = data["orders"]
    assert order["order_id"] == "ORD-100001"
    assert order["shipping_address"] == "Jl. Melati 5, Bandung"
    assert [request["kind"] for request in order["requests"]] == ["change_address"]
    json.dumps(data)  # serialisable as it is


def test_export_holds_nothing_of_other_customers(two_customers):
    text = json.dumps(_export(phone="0812-3456-7890"))
    for value in (*BUDI.values(), "budi-", "ORD-200002", "Jl. Mawar", "Budi's"):
        assert value not in text


@pytest.mark.parametrize("where", [{"email": "SITI@example.com"}, {"phone": "0812 3456 7890"},
                                   {"phone": "+62 812-3456-7890"}, {"wa_id": "6281234567890"}])
def test_customer_found_by_email_phone_or_whatsapp_id(two_customers, where):
    with db.session_scope() as session:
        assert [c.id for c in find_customers(session, **where)] == [two_customers["siti"]]


@pytest.mark.parametrize("where, error", [
    ({"email": "nobody@example.com"}, CustomerNotFound), ({"phone": "0811-0000-0000"},
                                                          CustomerNotFound),
    ({"wa_id": "62800"}, CustomerNotFound), ({"phone": "call me"}, PrivacyError),
    ({"email": "not-an-email"}, PrivacyError)])
def test_unknown_or_malformed_customer_is_an_error(two_customers, where, error):
    with db.session_scope() as session, pytest.raises(error):
        find_customers(session, **where)


def test_delete_removes_everything_of_the_customer(two_customers):
    report = _delete(wa_id="6281234567890")
    assert (report.customers, report.conversations, report.messages, report.handoffs,
            report.notes, report.survey_answers, report.order_requests,
            report.orders_anonymised) == (1, 2, 4, 1, 1, 1, 1, 1)
    assert stored(Customer, id=two_customers["siti"]) == []
    for model in (Message, Handoff, SurveyAnswer):
        assert not [row for row in stored(model) if row.conversation_id.startswith("siti")]
    assert stored(Note) == []
    assert [c.id for c in stored(Conversation) if c.id.startswith("siti")] == []
    assert [r.order_id for r in stored(OrderRequest)] == ["ORD-200002"]
    [order] = stored(Order, order_id="ORD-100001")
    assert (order.customer_name, order.email, order.phone, order.shipping_address) == (
        REMOVED, REMOVED, REMOVED, REMOVED)
    assert (order.total, order.items) == (99000, [{"name": "Kaos", "qty": 1, "price": 99000}])


def test_delete_leaves_other_customers_intact(two_customers):
    before = json.dumps(_export(email=BUDI["email"]), sort_keys=True)
    _delete(email=SITI["email"])
    after = _export(email=BUDI["email"])
    assert json.dumps({**after, "exported_at": None}, sort_keys=True) == json.dumps(
        {**json.loads(before), "exported_at": None}, sort_keys=True)
    assert sorted(c.id for c in stored(Conversation)) == ["budi-old", "budi-open",
                                                          "budi-recent"]
