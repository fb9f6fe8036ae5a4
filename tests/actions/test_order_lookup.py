"""No order number at hand: email and phone of the same customer list their orders, no more."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.order_lookup import ActionListOrders, ValidateOrderLookupForm
from store.db import session_scope
from store.orders.lookup import orders_of_customer
from tests.trackers import make_tracker, slot_event, user_event

DOMAIN = {"slots": {}, "forms": {"order_lookup_form": {
    "required_slots": ["lookup_email", "lookup_phone"]}}}
RINA_EMAIL, RINA_PHONE = "rina.wijaya@example.com", "+6281122334455"


def test_both_email_and_phone_of_one_customer_are_needed(database):
    with session_scope() as session:
        both = [o.order_id for o in orders_of_customer(session, email=RINA_EMAIL,
                                                       phone="0811-2233-4455")]
        wrong_phone = orders_of_customer(session, email=RINA_EMAIL, phone="+6281234567890")
        someone_else = orders_of_customer(session, email="siti.rahmawati@example.com",
                                          phone=RINA_PHONE)
        malformed = orders_of_customer(session, email="' OR 1=1 --", phone=RINA_PHONE)
    assert sorted(both) == ["ORD-583920", "ORD-583921"]
    assert wrong_phone == someone_else == malformed == []


async def validate(text: str, intent: str, candidates: dict, entities=None):
    tracker = make_tracker(
        events=[user_event(text, intent, entities=entities)],
        slots={"requested_slot": next(iter(candidates))},
        active_loop="order_lookup_form",
        extra_slot_events=[slot_event(k, v) for k, v in candidates.items()],
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderLookupForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher


async def test_email_and_phone_are_read_in_any_format(database):
    slots, _ = await validate("emailnya Rina.Wijaya@Example.com kak", "inform",
                              {"lookup_email": "emailnya Rina.Wijaya@Example.com kak"},
                              entities=[{"entity": "email", "value": RINA_EMAIL}])
    assert slots["lookup_email"] == RINA_EMAIL
    slots, _ = await validate("0811 2233 4455", "inform", {"lookup_phone": "0811 2233 4455"})
    assert slots["lookup_phone"] == RINA_PHONE


@pytest.mark.parametrize(("slot", "typed"), [("lookup_email", "saya lupa"),
                                             ("lookup_phone", "hmm 12")])
async def test_unreadable_answers_are_asked_again_with_a_way_out(database, slot, typed):
    slots, dispatcher = await validate(typed, "inform", {slot: typed})
    assert slots[slot] is None
    assert [m["response"] for m in dispatcher.messages] == [f"utter_invalid_{slot}"]


async def test_batal_leaves_the_lookup(database):
    slots, _ = await validate("batal", "stop", {"lookup_email": "batal"})
    assert slots == {"lookup_email": "-", "lookup_phone": "-"}


async def list_orders(slots: dict):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user_event("0811 2233 4455", "inform")], slots=slots)
    return await ActionListOrders().run(dispatcher, tracker, {}), dispatcher


async def test_a_proved_customer_picks_from_their_orders_as_buttons(database):
    events, dispatcher = await list_orders({"lookup_email": RINA_EMAIL, "lookup_phone": RINA_PHONE,
                                            "order_request": "cancel"})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_order_list"
    payloads = sorted(b["payload"] for b in message["buttons"])
    assert payloads == ['/cancel_order{"order_id":"ORD-583920"}',
                        '/cancel_order{"order_id":"ORD-583921"}']
    assert all("J&T" not in b["title"] for b in message["buttons"])  # numbers and dates only
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["verified_customer"] == RINA_EMAIL
    assert slots["lookup_email"] is None and slots["lookup_phone"] is None


@pytest.mark.parametrize(("forgot_message", "expected_intent"), [
    ("kak mau ganti alamat tp lupa no pesanannya", "change_shipping_address"),
    ("I want to cancel but I lost the order number", "cancel_order"),
    ("lupa nomor pesanan, alamat email saya rina.wijaya@example.com", "check_order_status"),
])
async def test_the_list_goes_on_with_the_request_named_without_a_number(
        database, forgot_message, expected_intent):
    dispatcher = CollectingDispatcher()
    events = [user_event(forgot_message, "forgot_order_id"),
              user_event("rina.wijaya@example.com 0811 2233 4455", "inform")]
    tracker = make_tracker(events=events, slots={"lookup_email": RINA_EMAIL,
                                                 "lookup_phone": RINA_PHONE})
    slot_events = await ActionListOrders().run(dispatcher, tracker, {})
    payloads = {b["payload"].split("{")[0] for b in dispatcher.messages[0]["buttons"]}
    assert payloads == {f"/{expected_intent}"}
    # a typed number instead of a tap goes on with the same request
    request = {e["name"]: e["value"] for e in slot_events if e["event"] == "slot"}["order_request"]
    assert request == {"change_shipping_address": "change_address", "cancel_order": "cancel",
                       "check_order_status": "status"}[expected_intent]


async def test_no_match_reveals_nothing_and_offers_a_person(database):
    events, dispatcher = await list_orders({"lookup_email": RINA_EMAIL,
                                            "lookup_phone": "+6281234567890"})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_lookup_no_match"]
    assert "buttons" not in dispatcher.messages[0] or not dispatcher.messages[0]["buttons"]
    assert events[-1] == {"event": "followup", "name": "action_offer_human",
                          "timestamp": events[-1]["timestamp"]}
    assert all(e.get("name") != "verified_customer" for e in events)


async def test_email_and_phone_in_one_message_fill_both(database):
    entities = [{"entity": "email", "value": RINA_EMAIL}, {"entity": "phone", "value": RINA_PHONE}]
    text = "email rina.wijaya@example.com, phone 0811 2233 4455"
    slots, _ = await validate(text, "inform", {"lookup_email": text}, entities=entities)
    assert (slots["lookup_email"], slots["lookup_phone"]) == (RINA_EMAIL, RINA_PHONE)


async def test_second_unreadable_answer_ends_the_lookup_with_other_ways_out(database):
    tracker = make_tracker(
        events=[user_event("ORD-583921", "inform")],
        slots={"requested_slot": "lookup_phone", "form_failures": 1},
        active_loop="order_lookup_form",
        extra_slot_events=[slot_event("lookup_phone", "ORD-583921")],
    )
    events = await ValidateOrderLookupForm().run(CollectingDispatcher(), tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["lookup_phone"] == "?"
    _, dispatcher = await list_orders({"lookup_email": "?", "lookup_phone": "?"})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_form_stuck"]
