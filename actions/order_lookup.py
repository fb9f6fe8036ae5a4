"""For a customer without the order number: prove who you are, then pick from your orders.

Both the email and the phone number must belong to the same customer's orders before
anything is shown, and then only order numbers and dates (the details still come through
the order form). The proved email is remembered for the session (`verified_customer`),
so the order picked from the list is answered without asking again.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import language_of
from actions.order_form import MAX_FORM_FAILURES, contact_details, wants_to_leave
from nlu.patterns import normalise_email, normalise_phone
from store.db import session_scope
from store.orders.lookup import orders_of_customer

MAX_LISTED = 5
NOT_GIVEN = "-"
GAVE_UP = "?"
# The intent each request goes back through when the customer picks an order.
_REQUEST_INTENTS = {"cancel": "cancel_order", "change_address": "change_shipping_address"}


# What a customer without the number wants to do with the order, from their own words
# ("mau ganti alamat tp lupa no pesanannya"): the forgot_order_id intent does not say.
_NAMED_REQUESTS = (
    ("cancel", re.compile(r"\b(cancel\w*|batal\w*|membatalkan|dibatalkan)\b", re.IGNORECASE)),
    ("change_address", re.compile(r"\b(alamat|address)\b(?!\s*(email|e-mail|surel))",
                                  re.IGNORECASE)),
)


def request_named_in(text: str) -> str | None:
    """"cancel" / "change_address" when the message names that request, else None."""
    return next((request for request, pattern in _NAMED_REQUESTS if pattern.search(text or "")),
                None)


def _request_of_lookup(tracker: Tracker) -> str | None:
    """The request named in the message that started the lookup, else the current one."""
    for event in reversed(tracker.events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent == "forgot_order_id":
            return request_named_in(event.get("text") or "") or tracker.get_slot("order_request")
    return tracker.get_slot("order_request")


_NORMALISERS = {"lookup_email": normalise_email, "lookup_phone": normalise_phone}
_INVALID = {"lookup_email": "utter_invalid_lookup_email",
            "lookup_phone": "utter_invalid_lookup_phone"}


class ValidateOrderLookupForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_lookup_form"

    def validate_lookup_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _validate("lookup_email", value, dispatcher, tracker)

    def validate_lookup_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _validate("lookup_phone", value, dispatcher, tracker)


def _validate(slot: str, value: Any, dispatcher: CollectingDispatcher,
              tracker: Tracker) -> dict[str, Any]:
    if value is None:  # a reset by an action, not something the customer said
        return {slot: None}
    text = str(value)
    if wants_to_leave(text):
        return {"lookup_email": NOT_GIVEN, "lookup_phone": NOT_GIVEN}
    found = contact_details(tracker)
    canonical = found.get(slot) or _NORMALISERS[slot](text)
    if canonical is None:
        failures = int(tracker.get_slot("form_failures") or 0) + 1
        if failures >= MAX_FORM_FAILURES:
            return {"lookup_email": GAVE_UP, "lookup_phone": GAVE_UP, "form_failures": 0}
        dispatcher.utter_message(response=_INVALID[slot])
        return {slot: None, "form_failures": failures}
    # Both in one message ("rina@example.com, 0811 2233 4455"): take both.
    others = {k: v for k, v in found.items() if k != slot and not tracker.get_slot(k)}
    return {slot: canonical, **others, "form_failures": 0}


class ActionListOrders(Action):
    """Lists the proved customer's recent orders as buttons, or says nothing matched."""

    def name(self) -> str:
        return "action_list_orders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        email, phone = tracker.get_slot("lookup_email"), tracker.get_slot("lookup_phone")
        reset = [SlotSet("lookup_email", None), SlotSet("lookup_phone", None)]
        if NOT_GIVEN in (email, phone) or GAVE_UP in (email, phone):
            left = NOT_GIVEN in (email, phone)
            dispatcher.utter_message(
                response="utter_order_form_left" if left else "utter_order_form_stuck")
            return reset
        with session_scope() as session:
            orders = orders_of_customer(session, email=email, phone=phone)[:MAX_LISTED]
            listed = [(o.order_id, o.placed_at) for o in orders]
        if not listed:
            dispatcher.utter_message(response="utter_order_lookup_no_match")
            return reset + [SlotSet("escalation_reason", "order_not_found"),
                            FollowupAction("action_offer_human")]
        request = _request_of_lookup(tracker)
        intent = _REQUEST_INTENTS.get(request, "check_order_status")
        date_format = "%d/%m/%Y" if language_of(tracker) == "id" else "%d %b %Y"
        buttons = [{"title": f"{order_id} · {placed_at:{date_format}}",
                    "payload": f'/{intent}{{"order_id":"{order_id}"}}'}
                   for order_id, placed_at in listed]
        dispatcher.utter_message(response="utter_order_list", buttons=buttons)
        # A typed order number (instead of a tap) goes on with the same request.
        return reset + [SlotSet("verified_customer", email),
                        SlotSet("order_request", request or "status")]
