"""store.conversations: the functions the action server calls."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from store.conversations import HandoffError, record_survey_answer, record_survey_asked
from store.db import session_scope
from store.hours import is_open, next_opening
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


def test_survey_answer_without_a_survey_is_an_error_not_a_new_row(database):
    with session_scope() as session, pytest.raises(HandoffError):
        record_survey_answer(session, conversation_id="nobody", score=5)


@pytest.mark.parametrize("score", [0, 8, -1])
def test_out_of_range_scores_are_rejected(database, score):
    with session_scope() as session:
        record_survey_asked(session, conversation_id="c1", trigger="goodbye")
    with session_scope() as session, pytest.raises(ValueError, match="between 1 and 7"):
        record_survey_answer(session, conversation_id="c1", score=score)
