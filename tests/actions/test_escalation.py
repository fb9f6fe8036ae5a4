"""Escalation: the handoff holds the whole story, the bot pauses, the wait is honest."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.escalation import (
    ActionEscalateToHuman,
    ActionHandleFallback,
    consecutive_fallbacks,
    escalation_reason,
    wait_message,
)
from store.db import session_scope
from store.models import Agent, Conversation, Handoff, Owner, Role
from store.waits import WaitEstimate
from tests.hours import OPEN_ALL_DAY
from tests.trackers import bot_event, make_tracker, user_event

ORDER_CONVERSATION = [
    user_event("halo kak, paket ORD-583920 saya dimana ya", "check_order_status", 0.93,
               metadata={"channel": "whatsapp"}),
    bot_event("Untuk keamanan, mohon tulis email atau nomor HP..."),
    user_event("rina.wijaya@example.com", "inform", 0.88),
    bot_event("Pesanan ORD-583920 sedang dalam perjalanan dengan J&T Express..."),
    user_event("mau ngomong sama CS aja", "request_human", 0.97,
               metadata={"channel": "whatsapp"}),
]
VERIFIED_SLOTS = {"order_id": "ORD-583920", "verified_order_id": "ORD-583920", "language": "id"}


async def escalate(events, slots, sender_id="conv-esc-1"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=events, slots=slots, sender_id=sender_id)
    result = await ActionEscalateToHuman().run(dispatcher, tracker, {})
    return result, dispatcher


async def test_handoff_carries_transcript_intents_slots_order_and_summary(database):
    events, _ = await escalate(ORDER_CONVERSATION, VERIFIED_SLOTS)
    with session_scope() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        conversation = session.get(Conversation, "conv-esc-1")
    context = handoff.context
    assert handoff.status.value == "queued" and handoff.reason == "customer_request"
    assert [t["sender"] for t in context["transcript"]] == [
        "customer", "bot", "customer", "bot", "customer"]
    assert all(t["timestamp"] for t in context["transcript"])
    assert context["intents"][0] == {
        "intent": "check_order_status", "confidence": 0.93,
        "text": "halo kak, paket ORD-583920 saya dimana ya"}
    assert context["slots"]["order_verified"] is True
    assert context["order"]["tracking_number"] == "JP5839200123"
    assert context["channel"] == "whatsapp" and context["language"] == "id"
    assert "check the status of an order (order ORD-583920, verified)" in handoff.summary
    assert "asked for a person" in handoff.summary
    assert conversation.owner == Owner.human and conversation.channel == "whatsapp"
    assert {"event": "pause"} in [{"event": e["event"]} for e in events]


async def test_unverified_order_details_stay_out_of_the_context(database):
    slots = {"order_id": "ORD-583920", "verified_order_id": None, "language": "id"}
    await escalate(ORDER_CONVERSATION, slots)
    with session_scope() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
    assert handoff.context["order"] is None
    assert "not verified" in handoff.summary


async def test_escalating_twice_keeps_one_open_handoff(database):
    await escalate(ORDER_CONVERSATION, VERIFIED_SLOTS)
    await escalate(ORDER_CONVERSATION, VERIFIED_SLOTS)
    with session_scope() as session:
        assert len(session.execute(select(Handoff)).scalars().all()) == 1


async def test_complaint_apologises_and_gets_priority(database):
    events = [user_event("barangnya rusak, kecewa banget", "complain")]
    _, dispatcher = await escalate(events, {"language": "id"})
    assert dispatcher.messages[0]["response"] == "utter_handoff_complaint"
    with session_scope() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
    assert handoff.reason == "complaint" and handoff.priority > 0


async def test_wait_estimate_uses_queue_and_agents_online(database, monkeypatch):
    from store import settings

    monkeypatch.setenv("OPENING_HOURS", OPEN_ALL_DAY)
    settings.get_settings.cache_clear()
    now = datetime.now(timezone.utc)
    with session_scope() as session:
        session.add(Agent(username="rina", display_name="Rina", role=Role.agent,
                          password_hash="x", last_seen_at=now))
    _, dispatcher = await escalate([user_event("human please", "request_human")], {},
                                   sender_id="first")
    # Nobody ahead, an agent free: about a minute.
    assert dispatcher.messages[-1]["response"] == "utter_handoff_queued"
    assert dispatcher.messages[-1]["wait_minutes"] == 1
    _, dispatcher = await escalate([user_event("human please", "request_human")], {},
                                   sender_id="second")
    assert dispatcher.messages[-1]["wait_minutes"] == 6  # one customer ahead, 6 min each
    with session_scope() as session:
        promised = [h.predicted_wait_seconds for h in
                    session.execute(select(Handoff).order_by(Handoff.id)).scalars()]
    assert promised == [60, 360]  # what the bot said is what is measured against


def test_wait_message_is_honest_about_closed_hours_and_busy_agents():
    jakarta_morning = datetime(2026, 11, 24, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    closed = WaitEstimate(minutes=None, back_at=jakarta_morning, agents_online=1,
                          queue_ahead=0, within_hours=False)
    response, variables = wait_message(closed)
    assert response == "utter_handoff_after_hours"
    assert variables["opens_at"].startswith("08:00") and variables["opens_at"].endswith("(24/11)")
    full_today = WaitEstimate(minutes=None, back_at=jakarta_morning, agents_online=1,
                              queue_ahead=9, within_hours=True)
    assert wait_message(full_today)[0] == "utter_handoff_queued_next_day"
    nobody = WaitEstimate(minutes=None, back_at=None, agents_online=0, queue_ahead=2,
                          within_hours=True)
    assert wait_message(nobody) == ("utter_handoff_queued_no_agent_online", {})
    staffed = WaitEstimate(minutes=4, back_at=None, agents_online=2, queue_ahead=1,
                           within_hours=True)
    assert wait_message(staffed) == ("utter_handoff_queued", {"wait_minutes": 4})


async def test_database_down_tells_the_customer_instead_of_crashing(monkeypatch):
    from store import db, settings

    # A real PostgreSQL URL on a port where nothing listens: the connection is refused.
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop:shop@127.0.0.1:9/shop")
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        events, dispatcher = await escalate([user_event("human", "request_human")], {})
    finally:
        db.get_engine.cache_clear()
        settings.get_settings.cache_clear()
    assert dispatcher.messages[-1]["response"] == "utter_handoff_unavailable"
    assert not any(e["event"] == "pause" for e in events)


def test_consecutive_fallbacks_counts_only_the_latest_run_of_messages_not_understood():
    events = [user_event("a", "nlu_fallback"), user_event("b", "greet"),
              user_event("c", "nlu_fallback"), bot_event("..."), user_event("d", "nlu_fallback")]
    assert consecutive_fallbacks(events) == 2
    assert consecutive_fallbacks([user_event("x", "greet")]) == 0
    # Off-topic requests were understood; an accepted email in a form is not a miss either.
    assert consecutive_fallbacks([user_event("a", "nlu_fallback"),
                                  user_event("tell me a joke", "out_of_scope")]) == 0
    assert consecutive_fallbacks([user_event("a", "nlu_fallback"),
                                  user_event("rina@example.com", "inform")]) == 0


async def test_first_fallback_explains_second_escalates():
    dispatcher = CollectingDispatcher()
    first = make_tracker(events=[user_event("asdfgh", "nlu_fallback")])
    assert await ActionHandleFallback().run(dispatcher, first, {}) == []
    assert dispatcher.messages[0]["response"] == "utter_clarify"
    assert dispatcher.messages[0]["buttons"][-1] == {"title": "Talk to a person",
                                                     "payload": "/request_human"}

    second = make_tracker(events=[user_event("asdfgh", "nlu_fallback"), bot_event("Sorry"),
                                  user_event("qwerty", "nlu_fallback")])
    events = await ActionHandleFallback().run(CollectingDispatcher(), second, {})
    assert {"event": "slot", "name": "escalation_reason", "value": "not_understood"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    assert events[-1]["event"] == "followup"
    assert events[-1]["name"] == "action_escalate_to_human"


async def test_uncertain_message_offers_the_likeliest_topics_then_a_person():
    event = user_event("brp lama ya kalo ke papua", "nlu_fallback", 0.4)
    event["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.6}, {"name": "faq", "confidence": 0.4},
        {"name": "check_order_status", "confidence": 0.3}, {"name": "greet", "confidence": 0.1}]
    event["parse_data"]["response_selector"] = {"faq": {"ranking": [
        {"intent_response_key": "faq/shipping_time", "confidence": 0.5},
        {"intent_response_key": "faq/shipping_cost", "confidence": 0.3},
        {"intent_response_key": "faq/invoice", "confidence": 0.1}]}}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[event], slots={"language": "id"})
    await ActionHandleFallback().run(dispatcher, tracker, {})
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        "/faq/shipping_time", "/faq/shipping_cost", "/check_order_status", "/request_human"]
    assert dispatcher.messages[0]["buttons"][-1]["title"] == "Hubungkan ke CS"


async def test_off_topic_gets_the_scope_answer_and_never_counts_as_a_miss():
    events = [user_event("tell me a joke", "out_of_scope"), bot_event("Sorry, I can't..."),
              user_event("write me an instagram caption", "out_of_scope")]
    dispatcher = CollectingDispatcher()
    assert await ActionHandleFallback().run(dispatcher, make_tracker(events=events), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/check_order_status"
    assert dispatcher.messages[0]["buttons"][-1]["payload"] == "/request_human"


def test_asking_for_the_team_after_the_refund_answer_is_a_refund_request():
    refund_then_person = [user_event("mau refund dong", "request_refund"),
                          bot_event("Dana dikembalikan..."),
                          user_event("/request_human", "request_human")]
    person_only = [user_event("where is my parcel", "check_order_status"),
                   bot_event("What's your order number?"),
                   user_event("/request_human", "request_human")]
    assert escalation_reason(make_tracker(events=refund_then_person)) == "refund_request"
    assert escalation_reason(make_tracker(events=person_only)) == "customer_request"


def faq_answer(topic: str) -> dict:
    return {**bot_event("..."), "metadata": {"utter_action": f"utter_faq/{topic}"}}


def unsure(text: str, faq_ranking: list[str]) -> dict:
    event = user_event(text, "nlu_fallback", confidence=0.4)
    event["parse_data"]["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.4},
                                             {"name": "faq", "confidence": 0.38}]
    event["parse_data"]["response_selector"] = {"faq": {"ranking": [
        {"intent_response_key": f"faq/{t}"} for t in faq_ranking]}}
    return event


async def test_an_unclear_follow_up_on_the_topic_just_answered_gets_that_answer():
    events = [user_event("can I return shoes?", "faq"), faq_answer("return_policy"),
              unsure("I got it 10 days ago, is that too late?", ["shipping_time", "return_policy"])]
    dispatcher = CollectingDispatcher()
    assert await ActionHandleFallback().run(dispatcher, make_tracker(events=events), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/return_policy"]
    # ...and it was understood: one more unclear message is a first miss, not a second
    events += [faq_answer("return_policy"), unsure("hmm", ["warranty", "invoice"])]
    assert consecutive_fallbacks(events) == 1


async def test_an_unclear_message_on_another_topic_still_asks_which_is_meant():
    events = [user_event("can I return shoes?", "faq"), faq_answer("return_policy"),
              unsure("Kalau resep nasi goreng, bisa?", ["shipping_options", "account_password"])]
    dispatcher = CollectingDispatcher()
    await ActionHandleFallback().run(dispatcher, make_tracker(events=events), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify"]
