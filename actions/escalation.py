"""Handing the customer to a person, with everything the agent needs to know.

The handoff is stored through store.conversations; the bot then pauses on this conversation until
an agent resolves it (the gateway resumes the tracker).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import channel_of, language_of, latest_intent, previous_bot_action
from actions.handoff_context import build_context
from actions.order_replies import order_for_agent
from store.conversations import WaitEstimate, create_handoff, estimate_wait
from store.db import session_scope
from store.orders.lookup import find_order
from store.settings import get_settings

logger = logging.getLogger(__name__)

FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")


def escalation_reason(tracker: Tracker) -> str:
    """Why we hand over: what the customer just said wins over an earlier decision."""
    intent = latest_intent(tracker)
    if intent == "request_human":
        return "customer_request"
    if intent == "complain":
        return "complaint"
    return tracker.get_slot("escalation_reason") or "customer_request"


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the latest customer messages in a row the assistant did not understand."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in FALLBACK_INTENTS:
            break
        count += 1
    return count


def wait_message(wait: WaitEstimate) -> tuple[str, dict[str, Any]]:
    """The honest wait: closed hours first, then whether anyone is online."""
    settings = get_settings()
    if not wait.within_hours:
        start, end = settings.opening_hours
        opens_at = wait.opens_at.strftime("%H:%M %Z").strip()
        day = wait.opens_at.strftime("%d/%m")
        hours = f"{start:%H:%M}–{end:%H:%M} {wait.opens_at.strftime('%Z')}".strip()
        return "utter_handoff_after_hours", {"opens_at": f"{opens_at} ({day})", "hours": hours}
    if wait.agents_online == 0:
        return "utter_handoff_queued_no_agent_online", {"wait_minutes": wait.minutes}
    return "utter_handoff_queued", {"wait_minutes": wait.minutes}


class ActionEscalateToHuman(Action):
    def name(self) -> str:
        return "action_escalate_to_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reason = escalation_reason(tracker)
        channel = channel_of(tracker)
        language = language_of(tracker)
        slots = dict(tracker.slots)
        slots["order_verified"] = bool(
            slots.get("order_id") and slots.get("verified_order_id") == slots.get("order_id")
        )
        try:
            with session_scope() as session:
                order = None
                if slots["order_verified"]:
                    found = find_order(session, slots["order_id"])
                    order = order_for_agent(found) if found else None
                context = build_context(
                    events=tracker.events, slots=slots, reason=reason, channel=channel,
                    order=order,
                )
                handoff = create_handoff(
                    session,
                    conversation_id=tracker.sender_id,
                    reason=reason,
                    summary=context["summary"],
                    context=context,
                    channel=channel,
                    language=language,
                )
                handoff_id = handoff.id
                wait = estimate_wait(session, handoff=handoff)
        except SQLAlchemyError:
            logger.exception("Could not create a handoff for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return [SlotSet("escalation_reason", reason)]
        if reason == "complaint":
            dispatcher.utter_message(response="utter_handoff_complaint")
        response, variables = wait_message(wait)
        dispatcher.utter_message(response=response, **variables)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("escalation_reason", reason),
            SlotSet("handoff_id", float(handoff_id)),
            ConversationPaused(),
        ]


class ActionOfferHuman(Action):
    """Asks whether the customer wants a person; 'yes' escalates (see data/rules/handoff.yml)."""

    def name(self) -> str:
        return "action_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        reason = tracker.get_slot("escalation_reason")
        if intent == "deny" and previous_bot_action(tracker) == "utter_did_that_help":
            reason = "answer_not_helpful"
        elif intent == "request_refund":
            reason = "refund_request"
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("escalation_reason", reason or "customer_request")]


class ActionHandleFallback(Action):
    """Says what the assistant can do; the second miss in a row goes to a person."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if consecutive_fallbacks(tracker.events) >= 2:
            return [SlotSet("escalation_reason", "not_understood"),
                    FollowupAction("action_escalate_to_human")]
        dispatcher.utter_message(response="utter_default")
        return []
