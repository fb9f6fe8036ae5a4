"""Keeps the `language` slot in step with the customer, message by message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import metadata
from nlu.language import choose_language
from store.settings import get_settings


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
            text, current, metadata(tracker).get("locale"), get_settings().default_language
        )
        return [] if chosen == current else [SlotSet("language", chosen)]
