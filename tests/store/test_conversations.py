"""store.conversations: the functions the action server calls."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from store.conversations import (
    HandoffError,
    create_handoff,
    ensure_conversation,
    estimate_wait,
    record_survey_answer,
    record_survey_asked,
)
from store.db import session_scope
from store.hours import is_open, next_opening
from store.models import Agent, Handoff, HandoffStatus, Role
from store.settings import Settings, _parse_hours

JAKARTA = timezone(timedelta(hours=7))
SETTINGS = Settings(opening_hours=(time(8), time(21)))


def test_opening_hours_in_jakarta_time():
    assert is_open(SETTINGS, datetime(2026, 11, 24, 9, 0, tzinfo=JAKARTA))
    assert not is_open(SETTINGS, datetime(2026, 11, 24, 21, 0, tzinfo=JAKARTA))
    late = next_opening(SETTINGS, datetime(2026, 11, 24, 22, 30, tzinfo=JAKARTA))
    assert (late.day, late.hour) == (25, 8)
    early = next_opening(SETTINGS, datetime(2026, 11, 24, 6, 0, tzinfo=JAKARTA))
    assert (early.day, early.hour) == (24, 8)


@pytest.mark.parametrize("bad", ["8-21", "21:00-08:00", "", "nine to five"])
def test_bad_opening_hours_are_a_clear_error(bad):
    with pytest.raises(ValueError, match="OPENING_HOURS"):
        _parse_hours(bad)


def test_priority_and_age_decide_the_place_in_the_queue(database):
    with session_scope() as session:
        first = create_handoff(session, conversation_id="a", reason="customer_request",
                                   summary="", context={})
        complaint = create_handoff(session, conversation_id="b", reason="complaint",
                                       summary="", context={})
        later = create_handoff(session, conversation_id="c", reason="customer_request",
                                   summary="", context={})
        assert estimate_wait(session, handoff=complaint, settings=SETTINGS).queue_ahead == 0
        assert estimate_wait(session, handoff=first, settings=SETTINGS).queue_ahead == 1
        assert estimate_wait(session, handoff=later, settings=SETTINGS).queue_ahead == 2


def test_measured_handling_time_replaces_the_default(database):
    now = datetime.now(timezone.utc)
    with session_scope() as session:
        session.add(Agent(username="a1", display_name="A", role=Role.agent, password_hash="x",
                          last_seen_at=now))
        session.add(Agent(username="a2", display_name="B", role=Role.agent, password_hash="x",
                          last_seen_at=now - timedelta(minutes=10)))  # offline
        for index in range(5):
            conversation = ensure_conversation(session, f"old-{index}")
            session.add(Handoff(conversation_id=conversation.id, reason="x",
                                status=HandoffStatus.resolved,
                                assigned_at=now - timedelta(minutes=30),
                                resolved_at=now - timedelta(minutes=20)))
        wait = estimate_wait(session, settings=SETTINGS)
    assert wait.agents_online == 1
    assert wait.minutes == 10  # one customer (this one) × 10 measured minutes ÷ 1 agent


def test_survey_answer_without_a_survey_is_an_error_not_a_new_row(database):
    with session_scope() as session, pytest.raises(HandoffError):
        record_survey_answer(session, conversation_id="nobody", score=5)


@pytest.mark.parametrize("score", [0, 8, -1])
def test_out_of_range_scores_are_rejected(database, score):
    with session_scope() as session:
        record_survey_asked(session, conversation_id="c1", trigger="goodbye")
    with session_scope() as session, pytest.raises(ValueError, match="between 1 and 7"):
        record_survey_answer(session, conversation_id="c1", score=score)
