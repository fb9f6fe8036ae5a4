"""The order form: find the order, verify the customer, then answer or record the request.

Nothing about an order is said before `verified_order_id` equals the order in question.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import language_of
from actions.order_replies import order_reply
from nlu.patterns import find_entities, normalise_order_id
from store import throttle
from store.conversations import identify_customer
from store.db import session_scope
from store.hours import local_today
from store.orders.lookup import find_order, record_request, verification_matches
from store.settings import get_settings

# Order numbers the customer could not give (malformed or unknown) before the form stops
# asking and offers other ways: look the order up by email and phone, or a person.
MAX_FORM_FAILURES = 2
MIN_ADDRESS_LENGTH = 15
_BARE_ORDER_NUMBER = re.compile(r"(?<!\d)\d{6}(?!\d)")
# "batal", "cancel", "stop", "gak jadi", "never mind" while the form asks for something.
_LEAVE_FORM = re.compile(
    r"^\W*(batal\w*|cancel|stop|skip|gak jadi|ga jadi|g jadi|nggak jadi|ngga jadi|enggak jadi|"
    r"tidak jadi|gajadi|gk jadi|never ?mind|nvm|forget it|no need|tidak usah|gak usah|ga usah|"
    r"nggak usah)\b(?!\s+\w+\s+\w+\s+\w+)",
    re.IGNORECASE,
)
VERIFIED = "ok"
RATE_LIMITED = "rate_limited"
ABANDONED = "abandoned"
GAVE_UP = "gave_up"
LOOKUP = "lookup"
_HAS_DIGIT = re.compile(r"\d")


def wants_to_leave(text: str) -> bool:
    """A short "stop / batal / never mind": the customer leaves the form."""
    return bool(_LEAVE_FORM.match(text or ""))


def order_id_in(text: str) -> str | None:
    """The order number in what the customer typed, canonical, or None.

    Bare six digits count here because the bot has just asked for an order number.
    """
    text = (text or "").strip()
    direct = normalise_order_id(text)
    if direct:
        return direct
    for entity in find_entities(text):
        if entity.entity == "order_id":
            return entity.value
    match = _BARE_ORDER_NUMBER.search(text)
    return f"ORD-{match.group(0)}" if match else None


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        needs_address = (
            tracker.get_slot("order_request") == "change_address"
            and tracker.get_slot("order_check") == "verified"
            and _still_changeable(tracker.get_slot("order_id"))
        )
        return [s for s in domain_slots if s != "new_address" or needs_address]

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset by an action, not something the customer said
            return {"order_id": None}
        text = str(value or "")
        order_id = order_id_in(text)
        if order_id is None and wants_to_leave(text):
            return _leave_form()
        contact = contact_details(tracker)
        if order_id is None and contact:
            # No number, but an email or phone: find the orders with them instead.
            return {"order_id": "-", "verification": "-", "order_check": LOOKUP,
                    "form_failures": 0, **contact}
        if order_id is None:
            return _failed_input(dispatcher, tracker, "utter_invalid_order_id")
        # An unknown number is asked for verification like a real one and fails it the
        # same way: what the bot says never tells whether an order number exists.
        with session_scope() as session:
            order = find_order(session, order_id)
            already_verified = tracker.get_slot("verified_order_id") == order_id or (
                order is not None and _proved_customer(tracker, order))
            limited = not already_verified and not throttle.verification_tries_left(
                session, order_id, tracker.sender_id)
        if limited:
            return _rate_limited(dispatcher, {"order_id": order_id, "form_failures": 0})
        slots: dict[str, Any] = {"order_id": order_id, "form_failures": 0}
        if already_verified:
            slots.update(verification=VERIFIED, order_check="verified",
                         verified_order_id=order_id)
        else:
            slots.update(verification=None, order_check=None)
        return slots

    def validate_verification(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset by an action, not something the customer said
            return {"verification": None}
        order_id = tracker.get_slot("order_id")
        if tracker.get_slot("order_check") in (ABANDONED, GAVE_UP, RATE_LIMITED, LOOKUP):
            return {"verification": "-"}
        if order_id and tracker.get_slot("verified_order_id") == order_id:
            return {"verification": VERIFIED, "order_check": "verified"}
        if wants_to_leave(str(value or "")):
            return _leave_form()
        factor = _verification_factor(tracker, str(value or ""))
        if factor == str(value or "") and order_id_in(factor):
            # An order number, not an email or phone: validate_order_id handles it.
            return {"verification": None}
        order_id, conversation_id = order_id or "", tracker.sender_id
        # Tries are counted in the database per conversation, so typing the order number
        # again starts no fresh three.
        with session_scope() as session:
            if not throttle.verification_tries_left(session, order_id, conversation_id):
                return _rate_limited(dispatcher, {})
            order = find_order(session, order_id)
            matches = order is not None and verification_matches(order, factor)
            if not matches:
                throttle.record_failed_verification(session, order_id, conversation_id)
                tries_left = throttle.verification_tries_left(session, order_id,
                                                              conversation_id)
            else:  # the same person on every channel: agents see all their conversations
                identify_customer(session, conversation_id, email=order.email,
                                  phone=order.phone, name=order.customer_name)
        if matches:
            return {"verification": VERIFIED, "verified_order_id": order_id,
                    "order_check": "verified"}
        if not tries_left:
            return {"verification": "failed", "order_check": "verification_failed"}
        dispatcher.utter_message(response="utter_verification_mismatch", attempts_left=tries_left)
        return {"verification": None}

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset by an action, not something the customer said
            return {"new_address": None}
        address = " ".join(str(value or "").split())[:500]
        if wants_to_leave(address):
            return _leave_form()
        # An address has a house number or a postcode; a complaint or a question has none.
        if len(address) < MIN_ADDRESS_LENGTH or not _HAS_DIGIT.search(address):
            dispatcher.utter_message(response="utter_ask_new_address")
            return {"new_address": None}
        return {"new_address": address}


def _leave_form() -> dict[str, Any]:
    """Fill what is missing so the form ends; action_answer_order says it has stopped."""
    return {"order_id": "-", "verification": "-", "new_address": "-",
            "order_check": ABANDONED, "form_failures": 0}


def _failed_input(
    dispatcher: CollectingDispatcher, tracker: Tracker, response: str, **variables: Any
) -> dict[str, Any]:
    """Ask again once; the second unusable order number ends the form with other ways out."""
    failures = int(tracker.get_slot("form_failures") or 0) + 1
    if failures >= MAX_FORM_FAILURES:
        return {"order_id": "-", "verification": "-", "order_check": GAVE_UP,
                "form_failures": 0}
    dispatcher.utter_message(response=response, **variables)
    return {"order_id": None, "form_failures": failures}


def contact_details(tracker: Tracker) -> dict[str, str]:
    """lookup_email / lookup_phone: the first email and phone in the latest message,
    canonical (the entity extractor normalised them), in the order they were typed."""
    found: dict[str, str] = {}
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") in ("email", "phone") and entity.get("value"):
            found.setdefault(f"lookup_{entity['entity']}", str(entity["value"]))
    return found


def _proved_customer(tracker: Tracker, order: Any) -> bool:
    """The customer proved who they are (email and phone) on the lookup path."""
    proved = tracker.get_slot("verified_customer")
    return bool(proved) and (order.email or "").lower() == str(proved).lower()


def _rate_limited(dispatcher: CollectingDispatcher, slots: dict[str, Any]) -> dict[str, Any]:
    """End the form without revealing anything; action_answer_order offers a person."""
    dispatcher.utter_message(response="utter_verification_rate_limited")
    return {**slots, "verification": "-", "order_check": RATE_LIMITED}


def _verification_factor(tracker: Tracker, value: str) -> str:
    """Prefer an email/phone entity of this message over the raw text around it."""
    return next(iter(contact_details(tracker).values()), value)


def _still_changeable(order_id: str | None) -> bool:
    from store.orders.lookup import can_change

    with session_scope() as session:
        order = find_order(session, order_id or "")
        return order is not None and can_change(order)


class ActionAnswerOrder(Action):
    """Runs when the order form is complete: the verified answer, or why there is none."""

    def name(self) -> str:
        return "action_answer_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        check = tracker.get_slot("order_check")
        reset = [SlotSet("new_address", None)]
        if check == LOOKUP:
            return reset + [SlotSet("order_id", None), SlotSet("verification", None),
                            SlotSet("order_check", None), FollowupAction("order_lookup_form")]
        if check in (ABANDONED, GAVE_UP):
            left = check == ABANDONED
            dispatcher.utter_message(
                response="utter_order_form_left" if left else "utter_order_form_stuck")
            return reset + [SlotSet("order_id", None), SlotSet("verification", None),
                            SlotSet("order_check", None),
                            SlotSet("escalation_reason", "order_not_found")]
        if check == RATE_LIMITED:  # already told by the form; a person can still help
            return reset + _offer_human("verification_rate_limited") + [
                SlotSet("verification", None), SlotSet("order_check", None)]
        order_id = tracker.get_slot("order_id")
        if check != "verified" or tracker.get_slot("verified_order_id") != order_id:
            dispatcher.utter_message(response="utter_verification_failed")
            return reset + _offer_human("verification_failed") + [
                SlotSet("verification", None), SlotSet("order_check", None)]
        language = language_of(tracker)
        request = tracker.get_slot("order_request")
        with session_scope() as session:
            order = find_order(session, order_id)
            if order is None:  # deleted since verification
                dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
                return reset
            reply = order_reply(order, request, language, local_today(get_settings()))
            if reply.request_kind:
                record_request(
                    session, order, reply.request_kind,
                    details=tracker.get_slot("new_address") or "",
                    conversation_id=tracker.sender_id,
                )
        dispatcher.utter_message(response=reply.response, **reply.variables)
        if reply.offer_human_reason:
            return reset + _offer_human(reply.offer_human_reason)
        return reset


def _offer_human(reason: str) -> list[dict[str, Any]]:
    return [SlotSet("escalation_reason", reason), FollowupAction("action_offer_human")]
