"""The order form: lookup, verification and the verified answers, on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.order_form import ActionAnswerOrder, ValidateOrderForm, order_id_in
from store.db import session_scope
from store.orders.models import OrderRequest
from tests.trackers import make_tracker, slot_event, user_event

REQUIRED = ["order_id", "verification", "new_address"]
DOMAIN = {"slots": {}, "forms": {"order_form": {"required_slots": REQUIRED}}}
RINA_EMAIL = "rina.wijaya@example.com"


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


async def validate(text: str, intent: str, slots: dict, candidates: dict, entities=None):
    tracker = make_tracker(
        events=[user_event(text, intent, entities=entities)],
        slots={"requested_slot": next(iter(candidates)), **slots},
        active_loop="order_form",
        extra_slot_events=[slot_event(k, v) for k, v in candidates.items()],
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("ORD-583920", "ORD-583920"), ("ord 583920", "ORD-583920"), ("#583920", "ORD-583920"),
     ("583920", "ORD-583920"), ("nomornya 583920 kak", "ORD-583920"),
     ("order-583920", "ORD-583920"),
     ("58392", None), ("5839201", None), ("ORD-1' OR '1'='1", None), ("", None), ("😊", None)],
)
def test_order_numbers_are_normalised_whatever_the_customer_typed(typed, expected):
    assert order_id_in(typed) == expected


async def test_unknown_order_number_is_asked_to_verify_like_a_real_one(database):
    unknown, _ = await validate("ORD-999999", "inform", {}, {"order_id": "ORD-999999"})
    known, _ = await validate("ORD-583920", "inform", {}, {"order_id": "ORD-583920"})
    assert unknown == {**known, "order_id": "ORD-999999"}
    assert unknown["verification"] is None  # the form asks for the email or phone next


async def test_malformed_and_hostile_order_numbers_are_rejected_without_lookup(database):
    for text in ("ORD-1' OR '1'='1", "x" * 5000, "🙂🙂", "DROP TABLE orders;"):
        slots, dispatcher = await validate(text, "inform", {}, {"order_id": text})
        assert slots["order_id"] is None
        assert responses(dispatcher) == ["utter_invalid_order_id"]


@pytest.mark.parametrize("second", ["lupa nomornya kak", "🙂"])
async def test_second_unusable_order_number_ends_the_form_with_other_ways_out(database, second):
    slots, dispatcher = await validate(second, "inform", {"form_failures": 1},
                                       {"order_id": second})
    assert slots["order_check"] == "gave_up"
    assert slots["verification"] == "-"  # the form is complete, nothing revealed
    assert responses(dispatcher) == []

    answer = ActionAnswerOrder()
    tracker = make_tracker(events=[user_event(second, "inform")],
                           slots={"order_check": "gave_up", "order_id": "-"})
    dispatcher = CollectingDispatcher()
    await answer.run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_form_stuck"]  # lookup, person, or stop


@pytest.mark.parametrize("slot", ["order_id", "verification", "new_address"])
@pytest.mark.parametrize("typed", ["batal", "cancel", "gak jadi deh", "never mind", "stop"])
async def test_stop_words_leave_the_form_from_any_question(database, slot, typed):
    current = {
        "order_id": {},
        "verification": {"order_id": "ORD-583920"},
        "new_address": {"order_id": "ORD-100001", "order_request": "change_address",
                        "order_check": "verified", "verified_order_id": "ORD-100001"},
    }[slot]
    slots, dispatcher = await validate(typed, "stop", current, {slot: typed})
    assert slots["order_check"] == "abandoned"
    assert responses(dispatcher) == []
    tracker = make_tracker(events=[user_event(typed, "stop")],
                           slots={"order_check": "abandoned", "order_id": "-"})
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOrder().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_form_left"]
    assert {"event": "slot", "name": "order_id", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


async def test_cancel_with_an_order_number_is_an_order_number_not_leaving(database):
    slots, _ = await validate("cancel 583920", "cancel_order", {}, {"order_id": "cancel 583920"})
    assert slots["order_id"] == "ORD-583920"


async def test_orders_of_a_customer_who_proved_email_and_phone_need_no_second_check(database):
    slots, dispatcher = await validate(
        "ORD-583921", "check_order_status", {"verified_customer": RINA_EMAIL},
        {"order_id": "ORD-583921"})
    assert slots["verification"] == "ok"
    assert slots["verified_order_id"] == "ORD-583921"
    # Someone else's order is not opened by that proof.
    slots, _ = await validate(
        "ORD-240518", "check_order_status", {"verified_customer": RINA_EMAIL},
        {"order_id": "ORD-240518"})
    assert slots["verification"] is None


async def test_known_order_asks_for_verification_and_reveals_nothing(database):
    slots, dispatcher = await validate("#583920", "inform", {}, {"order_id": "#583920"})
    assert slots["order_id"] == "ORD-583920"
    assert slots["verification"] is None
    assert dispatcher.messages == []


@pytest.mark.parametrize("factor", [RINA_EMAIL, "Rina.Wijaya@Example.com", "0811-2233-4455",
                                    "+62 811 2233 4455", "6281122334455"])
async def test_email_or_phone_in_any_format_verifies(database, factor):
    slots, _ = await validate(factor, "inform", {"order_id": "ORD-583920"},
                              {"verification": factor})
    assert slots["verification"] == "ok"
    assert slots["verified_order_id"] == "ORD-583920"
    assert slots["order_check"] == "verified"


async def test_wrong_verification_counts_down_then_stops_after_three(database):
    slots, dispatcher = await validate(
        "other@example.com", "inform", {"order_id": "ORD-583920"},
        {"verification": "other@example.com"},
    )
    assert slots["verification"] is None
    assert responses(dispatcher) == ["utter_verification_mismatch"]
    assert dispatcher.messages[0]["attempts_left"] == 2

    slots, dispatcher = await validate(
        "other2@example.com", "inform", {"order_id": "ORD-583920"},
        {"verification": "other2@example.com"},
    )
    assert dispatcher.messages[0]["attempts_left"] == 1
    slots, dispatcher = await validate(
        "0812 0000 0000", "inform", {"order_id": "ORD-583920"},
        {"verification": "0812 0000 0000"},
    )
    assert slots["verification"] == "failed"
    assert slots["order_check"] == "verification_failed"
    assert "verified_order_id" not in slots


async def test_verified_order_is_not_verified_again_in_the_same_session(database):
    slots, _ = await validate(
        "ORD-583920", "check_order_status", {"verified_order_id": "ORD-583920"},
        {"order_id": "ORD-583920"},
    )
    assert slots["verification"] == "ok"


async def test_new_order_number_needs_its_own_verification(database):
    slots, _ = await validate(
        "and ORD-240518?", "check_order_status",
        {"verified_order_id": "ORD-583920", "verification": "ok"},
        {"order_id": "ORD-240518"},
    )
    assert slots["order_id"] == "ORD-240518"
    assert slots["verification"] is None


async def answer(slots: dict, language: str = "en"):
    tracker = make_tracker(
        events=[user_event("x", "inform")], slots={"language": language, **slots}
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOrder().run(dispatcher, tracker, {})
    return events, dispatcher


def verified(order_id: str, request: str = "status") -> dict:
    return {"order_id": order_id, "verified_order_id": order_id, "order_check": "verified",
            "verification": "ok", "order_request": request}


async def test_in_transit_answer_has_status_carrier_tracking_and_eta(database):
    events, dispatcher = await answer(verified("ORD-583920"))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_order_on_the_way"
    assert message["carrier"] == "J&T Express"
    assert message["tracking_number"] == "JP5839200123"
    assert message["status_words"] == "on its way"
    assert message["eta"] != "-"
    assert not any(e["event"] == "followup" for e in events)


@pytest.mark.parametrize(
    ("order_id", "response", "offers_person"),
    [("ORD-372615", "utter_order_delivered", False),
     ("ORD-459102", "utter_order_cancelled", False),
     ("ORD-671245", "utter_order_delayed", True),
     ("ORD-100001", "utter_order_processing", False)],
)
async def test_each_status_gets_its_own_answer(database, order_id, response, offers_person):
    events, dispatcher = await answer(verified(order_id))
    assert responses(dispatcher) == [response]
    followups = [e["name"] for e in events if e["event"] == "followup"]
    assert followups == (["action_offer_human"] if offers_person else [])


async def test_answers_follow_the_customer_language(database):
    _, dispatcher = await answer(verified("ORD-583920"), language="id")
    assert dispatcher.messages[0]["status_words"] == "sedang dalam perjalanan"


async def test_unverified_customer_learns_nothing_and_is_offered_a_person(database):
    slots = {"order_id": "ORD-583920", "order_check": "verification_failed",
             "verification": "failed", "order_request": "status"}
    events, dispatcher = await answer(slots)
    assert responses(dispatcher) == ["utter_verification_failed"]
    assert all("tracking_number" not in m for m in dispatcher.messages)
    assert {"event": "followup", "name": "action_offer_human"} in [
        {k: e[k] for k in ("event", "name")} for e in events if e["event"] == "followup"
    ]
    reason = [e["value"] for e in events if e.get("name") == "escalation_reason"]
    assert reason == ["verification_failed"]


async def test_cancel_before_shipping_is_recorded(database):
    _, dispatcher = await answer(verified("ORD-100001", "cancel"))
    assert responses(dispatcher) == ["utter_cancel_recorded"]
    with session_scope() as session:
        kinds = session.execute(select(OrderRequest.kind)).scalars().all()
    assert [getattr(k, "value", k) for k in kinds] == ["cancel"]


async def test_cancel_after_shipping_is_explained_and_a_person_offered(database):
    events, dispatcher = await answer(verified("ORD-583920", "cancel"))
    assert responses(dispatcher) == ["utter_cancel_too_late"]
    assert [e["value"] for e in events if e.get("name") == "escalation_reason"] == [
        "order_already_shipped"]
    with session_scope() as session:
        assert session.execute(select(OrderRequest)).first() is None


async def test_address_change_before_shipping_records_the_new_address(database):
    slots = {**verified("ORD-100001", "change_address"),
             "new_address": "Jl. Sudirman No. 1, Jakarta Pusat 10220"}
    _, dispatcher = await answer(slots)
    assert responses(dispatcher) == ["utter_address_change_recorded"]
    with session_scope() as session:
        request = session.execute(select(OrderRequest)).scalar_one()
    assert request.details == "Jl. Sudirman No. 1, Jakarta Pusat 10220"
    assert request.conversation_id == "conv-test-1"


async def test_address_form_asks_for_the_new_address_only_when_it_can_change(database):
    form = ValidateOrderForm()
    for order_id, expected in (("ORD-100001", True), ("ORD-583920", False)):
        tracker = make_tracker(events=[user_event("x", "inform")],
                               slots={**verified(order_id, "change_address")})
        slots = await form.required_slots(REQUIRED, CollectingDispatcher(),
                                          tracker, DOMAIN)
        assert ("new_address" in slots) is expected


def test_today_is_used_for_lateness():
    from types import SimpleNamespace

    from actions.order_replies import is_late

    order = SimpleNamespace(status="in_transit", estimated_delivery=date(2026, 1, 5))
    assert is_late(order, date(2026, 1, 6))
    assert not is_late(order, date(2026, 1, 5))


async def test_order_number_typed_at_the_verification_step_is_not_a_failed_attempt(database):
    slots, dispatcher = await validate(
        "ORD-240518", "inform", {"order_id": "ORD-583920"},
        {"order_id": "ORD-240518", "verification": "ORD-240518"},
        entities=[{"entity": "order_id", "value": "ORD-240518"}],
    )
    assert slots["order_id"] == "ORD-240518"
    assert slots["verification"] is None
    assert dispatcher.messages == []


async def test_verification_links_the_conversation_to_one_customer_across_channels(database):
    from store.models import Conversation

    for sender_id, factor in (("web-conv", RINA_EMAIL), ("wa-conv", "0811-2233-4455")):
        tracker = make_tracker(
            events=[user_event(factor, "inform")], sender_id=sender_id,
            slots={"requested_slot": "verification", "order_id": "ORD-583920"},
            active_loop="order_form", extra_slot_events=[slot_event("verification", factor)])
        await ValidateOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    with session_scope() as session:
        web, whatsapp = (session.get(Conversation, c) for c in ("web-conv", "wa-conv"))
        assert web.customer_id is not None and web.customer_id == whatsapp.customer_id
        assert (web.customer.email, web.customer.phone) == (RINA_EMAIL, "+6281122334455")


async def test_an_email_instead_of_an_order_number_looks_the_orders_up(database):
    entities = [{"entity": "email", "value": RINA_EMAIL}]
    slots, dispatcher = await validate(RINA_EMAIL, "inform", {}, {"order_id": RINA_EMAIL},
                                       entities=entities)
    assert slots["order_check"] == "lookup" and slots["lookup_email"] == RINA_EMAIL
    assert responses(dispatcher) == []
    tracker = make_tracker(events=[user_event(RINA_EMAIL, "inform")],
                           slots={"order_check": "lookup", "order_id": "-"})
    events = await ActionAnswerOrder().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "order_lookup_form"


@pytest.mark.parametrize("typed", ["this is taking forever, I'm really annoyed",
                                   "kok lama banget sih ini"])
async def test_a_complaint_is_never_recorded_as_the_new_address(database, typed):
    current = {"order_id": "ORD-100001", "order_request": "change_address",
               "order_check": "verified", "verified_order_id": "ORD-100001"}
    slots, dispatcher = await validate(typed, "complain", current, {"new_address": typed})
    assert slots["new_address"] is None
    assert responses(dispatcher) == ["utter_ask_new_address"]
