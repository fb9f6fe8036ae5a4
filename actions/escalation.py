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

from actions.conversation import channel_of, language_of, latest_intent, previous_intent
from actions.handoff_context import build_context
from actions.order_replies import order_for_agent
from actions.topics import MAIN_TOPICS, likely_topics, topic_buttons
from store.conversations import create_handoff
from store.db import session_scope
from store.orders.lookup import find_order
from store.waits import (
    BACK_AT,
    NO_AGENT,
    WaitEstimate,
    back_at_label,
    current_wait,
    opening_hours_label,
)

logger = logging.getLogger(__name__)

# Only messages the assistant failed to understand count towards "two misses -> a person";
# an off-topic request was understood (and answered with what the bot can do).
NOT_UNDERSTOOD = "nlu_fallback"


def escalation_reason(tracker: Tracker) -> str:
    """Why we hand over: what the customer just said wins over an earlier decision."""
    intent = latest_intent(tracker)
    if intent == "request_human":
        # "Ask the team for a refund" after the refund answer is a refund request.
        return "refund_request" if previous_intent(tracker) == "request_refund" \
            else "customer_request"
    if intent == "complain":
        return "complaint"
    return tracker.get_slot("escalation_reason") or "customer_request"


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the latest customer messages in a row the assistant did not understand.

    Button clicks ("/intent" payloads) are understood by definition, and so is a follow-up
    the bot answered from the topic just answered.
    """
    count = 0
    answered = False  # the bot answered the message after this one from the conversation
    for event in reversed(events):
        if event.get("event") == "bot" and _faq_topic(event):
            answered = True
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != NOT_UNDERSTOOD or answered or (event.get("text") or "").startswith("/"):
            break
        count += 1
    return count


def wait_message(wait: WaitEstimate) -> tuple[str, dict[str, Any]]:
    """The honest wait, from the same estimate the chat's status bar shows (store.waits):
    when the team is back if not today, no time at all if nobody is online, else minutes."""
    if wait.kind == BACK_AT:
        variables = {"opens_at": back_at_label(wait.back_at), "hours": opening_hours_label()}
        if wait.within_hours:  # open now, but the queue runs past closing time
            return "utter_handoff_queued_next_day", variables
        return "utter_handoff_after_hours", variables
    if wait.kind == NO_AGENT:
        return "utter_handoff_queued_no_agent_online", {}
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
                wait = current_wait(session, handoff)
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
        reason = tracker.get_slot("escalation_reason")
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("escalation_reason", reason or "customer_request")]


class ActionHandleFallback(Action):
    """Never a made-up answer and never a dead end.

    Off-topic: one honest line about what the assistant does, with the main topics as
    buttons. Not understood: the likeliest topics as buttons; the second miss in a row goes
    to a person. Every set of buttons ends with "talk to a person".
    """

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope",
                                     buttons=topic_buttons(list(MAIN_TOPICS), language))
            return []
        if consecutive_fallbacks(tracker.events) >= 2:
            return [SlotSet("escalation_reason", "not_understood"),
                    FollowupAction("action_escalate_to_human")]
        topics = likely_topics(tracker.latest_message) or list(MAIN_TOPICS)
        previous = topic_just_answered(tracker.events)
        if previous in topics[:2]:
            # "is that too late?" right after the return policy: a follow-up on the
            # topic just answered, which the conversation makes clear.
            dispatcher.utter_message(response=f"utter_{previous}")
            return []
        dispatcher.utter_message(response="utter_clarify", buttons=topic_buttons(topics, language))
        return []


def topic_just_answered(events: list[dict[str, Any]]) -> str | None:
    """The FAQ topic ("faq/return_policy") of the bot's reply to the previous message."""
    users_seen = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return None
        elif event.get("event") == "bot" and users_seen == 1:
            topic = _faq_topic(event)
            if topic:
                return topic
    return None


def _faq_topic(bot_event: dict[str, Any]) -> str | None:
    answer = str((bot_event.get("metadata") or {}).get("utter_action") or "")
    return answer.removeprefix("utter_") if answer.startswith("utter_faq/") else None
