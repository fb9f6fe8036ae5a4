"""Order verification is limited per conversation (three failed tries of one order number,
five in all, for an hour), counted in the database so typing the number again does not
start a fresh three; failures in other conversations never lock the order's owner out.
And before verification, the bot's replies never tell whether an order number exists."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import ActionAnswerOrder
from store import throttle
from store.db import session_scope
from tests.actions.test_order_form import RINA_EMAIL, responses, validate
from tests.trackers import make_tracker, user_event

ORDER = "ORD-583920"
UNKNOWN = "ORD-999999"


async def guess(factor: str = "other@example.com", order_id: str = ORDER):  # noqa: ANN201
    return await validate(factor, "inform", {"order_id": order_id}, {"verification": factor})


async def type_order_number(order_id: str = ORDER):  # noqa: ANN201
    return await validate(order_id, "inform", {}, {"order_id": order_id})


def fail_from_other_conversations(times: int) -> None:
    with session_scope() as session:
        for n in range(times):
            throttle.record_failed_verification(session, ORDER, f"stranger-{n % 3}")


async def test_typing_the_order_number_again_does_not_reset_the_three_tries(database):
    for _ in range(throttle.VERIFICATION_LIMIT - 1):
        slots, dispatcher = await guess()
        assert responses(dispatcher) == ["utter_verification_mismatch"]
        slots, dispatcher = await type_order_number()  # the form starts over
        assert slots["order_id"] == ORDER and slots["order_check"] is None
    slots, _ = await guess()
    assert slots["order_check"] == "verification_failed"
    # Typed once more: no fourth try, even with the right email.
    slots, dispatcher = await type_order_number()
    assert slots["order_check"] == "rate_limited"
    assert responses(dispatcher) == ["utter_verification_rate_limited"]
    slots, dispatcher = await guess(RINA_EMAIL)
    assert "verified_order_id" not in slots
    assert responses(dispatcher) == ["utter_verification_rate_limited"]


async def test_a_conversation_cannot_go_on_guessing_other_order_numbers(database):
    for order_id in ("ORD-100001", "ORD-100002", "ORD-100003", "ORD-100004", "ORD-100005"):
        await guess(order_id=order_id)
    slots, dispatcher = await type_order_number("ORD-240518")
    assert slots["order_check"] == "rate_limited"
    assert responses(dispatcher) == ["utter_verification_rate_limited"]


async def test_strangers_failing_on_an_order_do_not_lock_its_owner_out(database):
    fail_from_other_conversations(50)
    slots, dispatcher = await type_order_number()
    assert slots["order_check"] is None and dispatcher.messages == []
    slots, _ = await guess(RINA_EMAIL)
    assert slots["verification"] == "ok" and slots["verified_order_id"] == ORDER


async def test_failures_are_recorded_for_the_order_and_the_conversation(database):
    await guess()
    with session_scope() as session:
        rows = session.query(throttle.VerificationAttempt).all()
    assert [(row.order_id, row.conversation_id) for row in rows] == [(ORDER, "conv-test-1")]


async def test_an_unknown_order_number_gets_the_same_replies_as_wrong_details(database):
    """A real order with a wrong email and an order number that does not exist: every
    reply and slot is the same, at the number and at the verification."""
    asked_known, said_known = await type_order_number(ORDER)
    asked_unknown, said_unknown = await type_order_number(UNKNOWN)
    assert said_known.messages == said_unknown.messages == []
    assert {**asked_unknown, "order_id": ORDER} == asked_known
    wrong_known, replies_known = await guess(order_id=ORDER)
    wrong_unknown, replies_unknown = await guess(order_id=UNKNOWN)
    assert wrong_known == wrong_unknown
    assert responses(replies_known) == responses(replies_unknown) == [
        "utter_verification_mismatch"]
    assert replies_known.messages[0]["attempts_left"] == replies_unknown.messages[0][
        "attempts_left"] == throttle.VERIFICATION_LIMIT - 1


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
