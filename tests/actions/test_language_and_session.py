"""The language slot follows the customer; a new session forgets all but the language."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionDetectLanguage
from actions.session import ActionSessionStart
from nlu.language import choose_language
from tests.trackers import make_tracker, user_event


@pytest.mark.parametrize(
    ("text", "current", "hint", "expected"),
    [("where is my order", None, None, "en"),
     ("pesanan saya udah sampai belum", "en", None, "id"),  # clear switch
     ("ok", "en", None, "en"),  # too short to switch
     ("583920", "id", None, "id"),
     ("ok", None, "en-US", "en"),  # the widget's browser language breaks the tie
     ("ok", None, None, "id")],  # the store's default
)
def test_language_switches_only_on_clear_evidence(text, current, hint, expected):
    assert choose_language(text, current, hint, default="id") == expected


async def test_detect_language_sets_the_slot_only_when_it_changes():
    action = ActionDetectLanguage()
    said = user_event("kak barang saya belum sampai", "check_order_status")
    tracker = make_tracker(events=[said],
                           slots={"language": "en"})
    assert await action.run(CollectingDispatcher(), tracker, {}) == [
        {"event": "slot", "timestamp": None, "name": "language", "value": "id"}]
    tracker = make_tracker(events=[user_event("where is my parcel?", "check_order_status")],
                           slots={"language": "en"})
    assert await action.run(CollectingDispatcher(), tracker, {}) == []


async def test_button_payloads_never_change_the_language():
    tracker = make_tracker(events=[user_event("/affirm", "affirm")], slots={"language": "id"})
    assert await ActionDetectLanguage().run(CollectingDispatcher(), tracker, {}) == []


async def test_new_session_keeps_language_but_not_verification_or_survey():
    tracker = make_tracker(events=[user_event("hi", "greet")], slots={
        "language": "id", "verified_order_id": "ORD-583920", "ces_asked": True})
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, {})
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["name"] == "language" and events[1]["value"] == "id"
