"""Facts about the conversation read from the tracker: language, channel, latest intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from store.settings import get_settings

SUPPORTED_LANGUAGES = ("en", "id")


def latest_user_event(tracker: Tracker) -> dict[str, Any]:
    return next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the gateway attaches to each message (channel, customer id, locale)."""
    return latest_user_event(tracker).get("metadata") or {}


def channel_of(tracker: Tracker) -> str:
    return str(metadata(tracker).get("channel") or tracker.get_latest_input_channel() or "web")


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in SUPPORTED_LANGUAGES else get_settings().default_language


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def previous_intent(tracker: Tracker) -> str | None:
    """The intent of the customer's message before the current one."""
    users = (e for e in reversed(tracker.events) if e.get("event") == "user")
    next(users, None)
    previous = next(users, None) or {}
    return ((previous.get("parse_data") or {}).get("intent") or {}).get("name")


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the current user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


# Bot actions that answer no request: greetings and pleasantries. Anything else (an answer,
# an order question, even "that is not something I can help with") was an attempt to serve,
# whose effort the customer can rate.
_NOT_SERVICE = {
    "action_session_start", "action_listen", "action_extract_slots", "utter_greet",
    "utter_welcome", "utter_ask_what_else", "action_start_survey", "action_deactivate_loop",
}


def bot_has_served(tracker: Tracker) -> bool:
    """Whether the customer asked for something in this session and the bot responded
    (answered, looked up, asked for order details, said what it cannot do), so that a
    "thanks" or "ok" now closes the session."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "action" and event.get("name") not in _NOT_SERVICE:
            return True
    return False
