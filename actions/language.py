"""Keeps the `language` slot in step with the customer, message by message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import metadata
from nlu.language import choose_language
from store.settings import get_settings

# Slots whose answers are data (numbers, emails, addresses, names), not sentences.
DATA_SLOTS = ("order_id", "verification", "new_address", "lookup_email", "lookup_phone",
              "ces_score")


class ActionDetectLanguage(Action):
    """Custom slot mapping: runs in action_extract_slots after every user message."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):  # a button payload says nothing about language
            text = ""
        current = tracker.get_slot("language")
        chosen = choose_language(
            text, current, metadata(tracker).get("locale"), get_settings().default_language,
            collecting_data=tracker.get_slot("requested_slot") in DATA_SLOTS,
        )
        return [] if chosen == current else [SlotSet("language", chosen)]
