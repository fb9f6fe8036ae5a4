"""Order verification is limited per order number across conversations, so an order's
email/phone cannot be guessed by opening conversation after conversation."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import ActionAnswerOrder
from store import throttle
from store.db import session_scope
from tests.actions.test_order_form import RINA_EMAIL, responses, validate
from tests.trackers import make_tracker, user_event

ORDER = "ORD-583920"


async def guess(factor: str = "other@example.com"):  # noqa: ANN201
    return await validate(factor, "inform", {"order_id": ORDER}, {"verification": factor})


def fail_from_other_conversations(times: int) -> None:
    with session_scope() as session:
        for n in range(times):
            throttle.record_failed_verification(session, ORDER, f"conv-{n}")


async def test_failed_verifications_are_counted_per_order(database):
    await guess()
    with session_scope() as session:
        assert session.query(throttle.VerificationAttempt).filter_by(order_id=ORDER).count() == 1


async def test_over_the_limit_even_the_right_email_is_refused_and_a_person_offered(database):
    fail_from_other_conversations(throttle.VERIFICATION_LIMIT)
    slots, dispatcher = await guess(RINA_EMAIL)
    assert responses(dispatcher) == ["utter_verification_rate_limited"]
    assert slots["verification"] == "-" and slots["order_check"] == "rate_limited"
    assert "verified_order_id" not in slots


async def test_over_the_limit_the_order_number_itself_ends_the_form(database):
    fail_from_other_conversations(throttle.VERIFICATION_LIMIT)
    slots, dispatcher = await validate(ORDER, "inform", {}, {"order_id": ORDER})
    assert responses(dispatcher) == ["utter_verification_rate_limited"]
    assert slots["order_id"] == ORDER and slots["order_check"] == "rate_limited"


async def test_under_the_limit_the_right_email_still_verifies(database):
    fail_from_other_conversations(throttle.VERIFICATION_LIMIT - 1)
    slots, _ = await guess(RINA_EMAIL)
    assert slots["verification"] == "ok" and slots["verified_order_id"] == ORDER


async def test_answer_after_rate_limit_offers_a_person_and_reveals_nothing(database):
    tracker = make_tracker(events=[user_event("yes", "affirm")],
                           slots={"order_id": ORDER, "order_check": "rate_limited",
                                  "verification": "-"})
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOrder().run(dispatcher, tracker, {})
    assert dispatcher.messages == []
    assert {"event": "followup", "name": "action_offer_human"} in [
        {k: e[k] for k in ("event", "name") if k in e} for e in events]
    assert any(e.get("name") == "escalation_reason"
               and e.get("value") == "verification_rate_limited" for e in events)


def test_the_response_exists_in_both_languages():
    import yaml

    with open("domain.yml", encoding="utf-8") as file:
        variants = yaml.safe_load(file)["responses"]["utter_verification_rate_limited"]
    assert variants[0]["text"] and "condition" not in variants[0]
    assert variants[1]["condition"] == [{"type": "slot", "name": "language", "value": "en"}]
