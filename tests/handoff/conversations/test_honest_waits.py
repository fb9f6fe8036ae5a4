"""The bot's handoff message and the chat's status bar come from one estimate: after hours
both name the opening time, with nobody online neither promises minutes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import ActionEscalateToHuman
from handoff.conversations import flow
from store import settings
from store.db import session_scope
from store.models import Agent, Conversation, Role
from tests.bot_texts import said
from tests.hours import OPEN_ALL_DAY, closed_now
from tests.trackers import make_tracker, user_event


async def escalate(conversation_id: str, language: str) -> tuple[str, dict, dict]:
    """(what the bot said, the dispatched message, the state frame the widget gets)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user_event("I want a person", "request_human")],
                           slots={"language": language}, sender_id=conversation_id)
    await ActionEscalateToHuman().run(dispatcher, tracker, {})
    with session_scope() as session:
        state = flow.conversation_state(session, session.get(Conversation, conversation_id))
    return said(dispatcher.messages[-1], language), dispatcher.messages[-1], state


@pytest.fixture
def hours(database, monkeypatch):
    def set_hours(value: str) -> None:
        monkeypatch.setenv("OPENING_HOURS", value)
        settings.get_settings.cache_clear()
    return set_hours


def agent_online() -> None:
    with session_scope() as session:
        session.add(Agent(username="rina", display_name="Rina", role=Role.agent,
                          password_hash="x", last_seen_at=datetime.now(timezone.utc)))


@pytest.mark.parametrize("language", ["id", "en"])
async def test_after_hours_bot_and_status_bar_both_give_the_opening_time(hours, language):
    hours(closed_now())
    agent_online()  # an agent still logged in changes nothing: the team is closed
    text, message, state = await escalate(f"late-{language}", language)
    assert message["response"] == "utter_handoff_after_hours"
    assert state["state"] == "queued" and state["wait_minutes"] is None
    assert state["back_at_label"] and state["back_at_label"] in text
    assert state["back_at_label"] == message["opens_at"]
    assert "minute" not in text and "menit" not in text


@pytest.mark.parametrize("language", ["id", "en"])
async def test_with_nobody_online_neither_promises_minutes(hours, language):
    hours(OPEN_ALL_DAY)
    text, message, state = await escalate(f"empty-{language}", language)
    assert message["response"] == "utter_handoff_queued_no_agent_online"
    assert (state["wait_minutes"], state["back_at_label"]) == (None, None)
    assert "minute" not in text and "menit" not in text
    assert not any(character.isdigit() for character in text)


async def test_with_an_agent_online_both_give_the_same_minutes(hours):
    hours(OPEN_ALL_DAY)
    agent_online()
    text, message, state = await escalate("staffed", "en")
    assert message["response"] == "utter_handoff_queued"
    assert state["wait_minutes"] == message["wait_minutes"] == 1
    assert "about 1 min." in text
