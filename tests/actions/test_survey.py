"""The CES survey: once per session, typed or clicked answers, skippable, stored in full."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.effort_scale import parse_effort_score
from actions.survey import ActionStartSurvey, ActionSubmitSurvey, ValidateCesForm
from store.conversations import create_handoff
from store.db import session_scope
from store.models import Agent, Conversation, HandoffStatus, Role, SurveyAnswer
from tests.trackers import action_event, make_tracker, slot_event, user_event

DOMAIN = {"slots": {}, "forms": {"ces_form": {"required_slots": ["ces_score", "ces_comment"]}}}


@pytest.mark.parametrize(
    ("reply", "score"),
    [("7", 7), ("1", 1), ("5 kak", 5), ("nilai 6 deh", 6), ("6/7", 6), ("gampang banget", 7),
     ("lumayan mudah", 5), ("agak ribet", 3), ("susah banget", 1), ("very easy", 7),
     ("pretty hard", 2), ("it was ok", 4), ("😊 7", 7), ("VERY EASY!!", 7)],
)
def test_effort_scores_are_read_from_digits_and_words(reply, score):
    assert parse_effort_score(reply) == score


@pytest.mark.parametrize("reply", ["", "8", "10", "between 5 and 6", "ORD-583920", "what?",
                                   "x" * 10_000])
def test_unreadable_effort_replies_give_none(reply):
    assert parse_effort_score(reply) is None


SERVED = [user_event("how long to medan?", "faq"), action_event("utter_faq"),
          action_event("action_listen")]


GREETED_ONLY = [user_event("halo", "greet"), action_event("utter_greet"),
                action_event("action_listen")]
# An off-topic request was answered with what the bot can do: the effort is worth rating.
TOLD_WHAT_IT_DOES = [user_event("tell me a joke", "out_of_scope"),
                     action_event("action_handle_fallback"), action_event("action_listen")]


async def start(slots=None, sender_id="conv-survey", text="bye", intent="goodbye", served=True,
                before=None):
    dispatcher = CollectingDispatcher()
    said = user_event(text, intent, metadata={"channel": "web"})
    history = before if before is not None else (SERVED if served else [])
    tracker = make_tracker(events=history + [said], slots=slots or {}, sender_id=sender_id)
    return await ActionStartSurvey().run(dispatcher, tracker, {}), dispatcher


@pytest.mark.parametrize(("text", "intent"), [("makasih kak", "thank_you"), ("ok", "affirm"),
                                              ("nope", "deny"), ("udah itu aja", "stop"),
                                              ("bye", "goodbye")])
async def test_any_ending_after_being_served_asks_the_survey_in_the_same_turn(
        database, text, intent):
    events, dispatcher = await start({"language": "id"}, text=text, intent=intent)
    assert {e["name"]: e["value"] for e in events}["survey_state"] == "ask"
    welcome = ["utter_you_are_welcome"] if intent == "thank_you" else []
    assert [m["response"] for m in dispatcher.messages] == welcome


@pytest.mark.parametrize(("text", "intent", "said"), [("thanks", "thank_you", "utter_welcome"),
                                                      ("ok", "affirm", "utter_welcome"),
                                                      ("bye", "goodbye", "utter_goodbye")])
@pytest.mark.parametrize("before", [[], GREETED_ONLY])
async def test_an_ending_before_the_bot_did_anything_asks_no_survey(
        database, text, intent, said, before):
    events, dispatcher = await start({"language": "en"}, text=text, intent=intent, before=before)
    assert {e["name"]: e["value"] for e in events}["survey_state"] == "done"
    assert [m["response"] for m in dispatcher.messages] == [said]
    with session_scope() as session:
        assert session.execute(select(SurveyAnswer)).scalars().all() == []


async def test_an_ending_after_an_off_topic_answer_asks_the_survey(database):
    events, _ = await start({"language": "en"}, text="ok thanks", intent="thank_you",
                            before=TOLD_WHAT_IT_DOES)
    assert {e["name"]: e["value"] for e in events}["survey_state"] == "ask"


async def test_goodbye_asks_the_question_once_and_records_it_as_sent(database):
    events, dispatcher = await start({"language": "id"})
    assert dispatcher.messages == []  # ces_form asks the question next (see the rules)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["survey_state"] == "ask" and slots["ces_asked"] is True
    with session_scope() as session:
        sent = session.execute(select(SurveyAnswer)).scalar_one()
    assert (sent.trigger, sent.language, sent.channel, sent.score) == ("goodbye", "id", "web", None)

    again, dispatcher = await start({"ces_asked": True})
    assert [m["response"] for m in dispatcher.messages] == ["utter_goodbye"]
    assert {e["name"]: e["value"] for e in again}["survey_state"] == "done"


async def test_after_an_agent_resolves_no_goodbye_is_said_twice(database):
    _, dispatcher = await start({"ces_asked": True, "survey_trigger": "resolved"})
    assert dispatcher.messages == []


async def validate(text, intent, candidates, slots=None, entities=None):
    tracker = make_tracker(
        events=[user_event(text, intent, entities=entities)],
        slots={"requested_slot": next(iter(candidates)), **(slots or {})},
        active_loop="ces_form",
        extra_slot_events=[slot_event(k, v) for k, v in candidates.items()],
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateCesForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events}, dispatcher


async def test_clicked_and_typed_scores_are_accepted():
    slots, _ = await validate('/rate_effort{"ces_score":"6"}', "rate_effort", {"ces_score": "6"})
    assert slots["ces_score"] == "6"
    slots, _ = await validate("gampang banget kak", "rate_effort",
                              {"ces_score": "gampang banget kak"})
    assert slots["ces_score"] == "7"


async def test_unclear_answer_is_asked_once_more_then_let_go():
    slots, dispatcher = await validate("hmm", "nlu_fallback", {"ces_score": "hmm"})
    assert slots == {"ces_score": None, "ces_retries": 1.0}
    assert dispatcher.messages[0]["response"] == "utter_ces_score_unclear"
    slots, dispatcher = await validate("hmm", "nlu_fallback", {"ces_score": "hmm"},
                                       {"ces_retries": 1.0})
    assert slots == {"ces_score": "declined", "ces_comment": "-"}
    assert dispatcher.messages == []


async def test_skip_ends_the_survey():
    slots, _ = await validate("/stop", "stop", {"ces_score": "/stop"})
    assert slots == {"ces_score": "declined", "ces_comment": "-"}


async def test_comment_is_optional_and_kept_when_given():
    slots, _ = await validate("no thanks", "deny", {"ces_comment": "no thanks"})
    assert slots["ces_comment"] == "-"
    text = "kurirnya lama banget tapi CS nya ramah"
    slots, _ = await validate(text, "complain", {"ces_comment": text})
    assert slots["ces_comment"] == text


@pytest.mark.parametrize(("text", "intent", "kept"), [
    ("quick and clear answers", "thank_you", True),  # praise reads like thanks
    ("mantap, cepat banget jawabannya", "thank_you", True),
    ("thank you so much", "thank_you", True),  # a thank-you is feedback too
    ("ok makasih", "thank_you", False),
    ("no that's all", "deny", False),
    ("udah itu aja kak", "stop", False),
])
async def test_praise_is_a_comment_and_a_short_closing_is_none(text, intent, kept):
    slots, _ = await validate(text, intent, {"ces_comment": text})
    assert slots["ces_comment"] == (text if kept else "-")


async def submit(slots, sender_id="conv-survey"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user_event("-", "deny")], slots=slots, sender_id=sender_id)
    await ActionSubmitSurvey().run(dispatcher, tracker, {})
    return dispatcher


async def test_answer_is_stored_with_channel_language_human_and_reason(database):
    with session_scope() as session:
        agent = Agent(username="rina", display_name="Rina", role=Role.agent, password_hash="x")
        session.add(agent)
        session.flush()
        handoff = create_handoff(
            session, conversation_id="conv-survey", reason="complaint", summary="s",
            context={}, channel="whatsapp", language="id")
        handoff.agent_id = agent.id
        handoff.status = HandoffStatus.resolved
        agent_id = agent.id
    await start({"language": "id", "survey_trigger": "resolved"})
    dispatcher = await submit({"ces_score": "6", "ces_comment": "cepat", "language": "id",
                               "survey_trigger": "resolved"})
    assert [m["response"] for m in dispatcher.messages] == ["utter_survey_thanks"]
    with session_scope() as session:
        answer = session.execute(select(SurveyAnswer)).scalar_one()
        conversation = session.get(Conversation, "conv-survey")
    assert (answer.score, answer.comment, answer.channel, answer.language) == (
        6, "cepat", "whatsapp", "id")
    assert answer.human_involved and answer.escalation_reason == "complaint"
    assert answer.agent_id == agent_id and answer.trigger == "resolved"
    assert conversation.closed_at is not None and conversation.close_reason == "resolved"


async def test_declined_survey_is_stored_as_no_answer_and_says_goodbye(database):
    await start({"language": "en"})
    dispatcher = await submit({"ces_score": "declined", "ces_comment": "-", "language": "en"})
    assert [m["response"] for m in dispatcher.messages] == ["utter_survey_skipped",
                                                             "utter_goodbye"]
    with session_scope() as session:
        answer = session.execute(select(SurveyAnswer)).scalar_one()
    assert answer.score is None and answer.declined and answer.answered_at is not None
    assert not answer.human_involved


async def test_slots_reset_by_an_action_are_not_answers():
    """Starting the form re-validates the slots the start action just cleared."""
    slots, dispatcher = await validate("bye", "goodbye", {"ces_score": None, "ces_comment": None})
    assert slots == {"ces_score": None, "ces_comment": None}
    assert dispatcher.messages == []
