"""The Customer Effort Score question: asked once per session, skippable, never a trap."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import bot_has_served, channel_of, language_of, latest_intent
from actions.effort_scale import is_skip, parse_effort_score
from store.conversations import (
    HandoffError,
    close_conversation,
    record_survey_answer,
    record_survey_asked,
)
from store.db import session_scope

logger = logging.getLogger(__name__)

DECLINED = "declined"
NO_COMMENT = "-"
# A short reply of these intents at the comment question is no comment ("no thanks",
# "that's all", "ok makasih"): up to this many words. Praise reads like thanks ("quick and
# clear answers"), so thanks and yeses count only when very short; a kept "thank you so
# much" costs nothing, a lost comment does.
_NOT_A_COMMENT_WORDS = {"deny": 4, "stop": 4, "goodbye": 4, "thank_you": 2, "affirm": 2}
# Leaving instead of rating: the survey ends politely rather than asking again.
_DECLINES = ("stop", "deny", "goodbye")


class ActionStartSurvey(Action):
    """Decides whether the CES question is asked now: once per session, never twice.

    Sets `survey_state`; the rules then start `ces_form` (which asks the question) or end.
    Started by the goodbye rules, and by the gateway through Rasa's HTTP API after an
    agent resolves or the session goes idle (it sets `survey_trigger` first and runs
    `ces_form` itself when the state says ask).
    """

    def name(self) -> str:
        return "action_start_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        trigger = tracker.get_slot("survey_trigger") or "goodbye"
        intent = latest_intent(tracker)
        if trigger == "goodbye" and not bot_has_served(tracker):
            # "thanks" / "ok" / "no" before the bot did anything: not an ending yet.
            if intent == "goodbye":
                dispatcher.utter_message(response="utter_goodbye")
            else:
                dispatcher.utter_message(response="utter_welcome")
            return [SlotSet("survey_trigger", None), SlotSet("survey_state", "done")]
        if trigger == "goodbye" and intent == "thank_you":
            dispatcher.utter_message(response="utter_you_are_welcome")
        if tracker.get_slot("ces_asked"):
            if trigger == "goodbye":
                dispatcher.utter_message(response="utter_goodbye")
            return [SlotSet("survey_trigger", None), SlotSet("survey_state", "done")]
        try:
            with session_scope() as session:
                record_survey_asked(
                    session, conversation_id=tracker.sender_id, trigger=trigger,
                    channel=channel_of(tracker), language=language_of(tracker),
                )
        except SQLAlchemyError:
            logger.exception("Could not record the survey for %s", tracker.sender_id)
        return [
            SlotSet("ces_asked", True),
            SlotSet("survey_trigger", trigger),
            SlotSet("ces_score", None),
            SlotSet("ces_comment", None),
            SlotSet("ces_retries", 0.0),
            SlotSet("survey_state", "ask"),
        ]


class ValidateCesForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ces_form"

    def validate_ces_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset by an action, not something the customer said
            return {"ces_score": None}
        text = str(value or "")
        if latest_intent(tracker) in _DECLINES or is_skip(text):
            return {"ces_score": DECLINED, "ces_comment": NO_COMMENT}
        score = parse_effort_score(text)
        if score is not None:
            return {"ces_score": str(score)}
        if int(tracker.get_slot("ces_retries") or 0) >= 1:
            # Asked twice already: let the customer go rather than insist.
            return {"ces_score": DECLINED, "ces_comment": NO_COMMENT}
        dispatcher.utter_message(response="utter_ces_score_unclear")
        return {"ces_score": None, "ces_retries": 1.0}

    def validate_ces_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset by an action, not something the customer said
            return {"ces_comment": None}
        text = " ".join(str(value or "").split())
        closing_words = _NOT_A_COMMENT_WORDS.get(latest_intent(tracker) or "", 0)
        if not text or text.startswith("/") or is_skip(text) or (
            len(text.split()) <= closing_words
        ):
            return {"ces_comment": NO_COMMENT}
        return {"ces_comment": text[:500]}


class ActionSubmitSurvey(Action):
    def name(self) -> str:
        return "action_submit_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        raw_score = tracker.get_slot("ces_score")
        declined = raw_score in (None, DECLINED)
        comment = tracker.get_slot("ces_comment")
        trigger = tracker.get_slot("survey_trigger") or "goodbye"
        try:
            with session_scope() as session:
                record_survey_answer(
                    session,
                    conversation_id=tracker.sender_id,
                    score=None if declined else int(raw_score),
                    comment=None if comment in (None, NO_COMMENT) else comment,
                    declined=declined,
                )
                close_conversation(session, tracker.sender_id, reason=trigger)
        except (SQLAlchemyError, ValueError, HandoffError):
            logger.exception("Could not store the survey answer for %s", tracker.sender_id)
        dispatcher.utter_message(
            response="utter_survey_skipped" if declined else "utter_survey_thanks"
        )
        if trigger == "goodbye":
            dispatcher.utter_message(response="utter_goodbye")
        return [SlotSet("survey_trigger", None), SlotSet("ces_retries", 0.0),
                SlotSet("survey_state", "done")]
