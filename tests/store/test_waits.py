"""store.waits: one estimate that knows opening hours, who is online and how busy they are."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from store.conversations import create_handoff, ensure_conversation
from store.db import session_scope
from store.models import Agent, Handoff, HandoffStatus, Role
from store.settings import Settings
from store.waits import (
    BACK_AT,
    MINUTES,
    NO_AGENT,
    back_at_label,
    current_wait,
    estimate_wait,
    mark_answered,
    record_promise,
)

JAKARTA = timezone(timedelta(hours=7))
SETTINGS = Settings(opening_hours=(time(8), time(21)), default_handling_minutes=6)
MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)


def add_agent(session, name: str, seen: datetime | None) -> Agent:
    agent = Agent(username=name, display_name=name.title(), role=Role.agent,
                  password_hash="x", last_seen_at=seen)
    session.add(agent)
    session.flush()
    return agent


def queue(session, conversation_id: str, **fields) -> Handoff:
    conversation = ensure_conversation(session, conversation_id)
    handoff = Handoff(conversation_id=conversation.id, reason="customer_request", **fields)
    session.add(handoff)
    session.flush()
    return handoff


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


def test_after_hours_it_says_when_the_team_is_back_never_minutes(database):
    late = datetime(2026, 11, 24, 22, 30, tzinfo=JAKARTA)
    with session_scope() as session:
        add_agent(session, "night.owl", seen=late)  # someone online does not change that
        wait = estimate_wait(session, now=late, settings=SETTINGS)
    assert (wait.kind, wait.minutes, wait.within_hours) == (BACK_AT, None, False)
    assert wait.back_at == datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA)
    assert back_at_label(wait.back_at, SETTINGS).startswith("08:00")
    assert back_at_label(wait.back_at, SETTINGS).endswith("(25/11)")
    assert not wait.answers_soon(SETTINGS)


def test_with_nobody_online_no_time_is_promised(database):
    with session_scope() as session:
        add_agent(session, "away", seen=MORNING - timedelta(minutes=10))
        wait = estimate_wait(session, now=MORNING, settings=SETTINGS)
    assert (wait.kind, wait.minutes, wait.back_at, wait.agents_online) == (
        NO_AGENT, None, None, 0)
    assert not wait.answers_soon(SETTINGS)


def test_minutes_count_the_queue_and_the_load_of_the_agents_online(database):
    with session_scope() as session:
        rina = add_agent(session, "rina", seen=MORNING)
        idle = estimate_wait(session, now=MORNING, settings=SETTINGS)
        queue(session, "held", status=HandoffStatus.assigned, agent_id=rina.id)
        busy = estimate_wait(session, now=MORNING, settings=SETTINGS)
        queue(session, "ahead", status=HandoffStatus.queued)
        behind = estimate_wait(session, now=MORNING, settings=SETTINGS)
        add_agent(session, "budi", seen=MORNING)
        two = estimate_wait(session, now=MORNING, settings=SETTINGS)
    assert (idle.kind, idle.minutes) == (MINUTES, 1)  # a free agent: about a minute
    assert busy.minutes == 6  # Rina finishes her conversation first
    assert behind.minutes == 12  # ... and the customer ahead
    assert two.minutes == 6  # two agents share that work
    assert idle.answers_soon(SETTINGS)
    assert not behind.answers_soon(Settings(long_wait_minutes=10))  # long: offer email


def test_measured_handling_time_replaces_the_default(database):
    with session_scope() as session:
        rina = add_agent(session, "rina", seen=MORNING)
        add_agent(session, "offline", seen=MORNING - timedelta(minutes=10))
        for index in range(5):
            queue(session, f"old-{index}", status=HandoffStatus.resolved,
                  assigned_at=MORNING - timedelta(minutes=30),
                  resolved_at=MORNING - timedelta(minutes=20))
        queue(session, "held", status=HandoffStatus.assigned, agent_id=rina.id)
        wait = estimate_wait(session, now=MORNING, settings=SETTINGS)
    assert wait.agents_online == 1
    assert wait.minutes == 10  # Rina's one conversation × 10 measured minutes ÷ 1 agent


def test_a_queue_that_runs_past_closing_time_gives_the_opening_time(database):
    evening = datetime(2026, 11, 24, 20, 50, tzinfo=JAKARTA)
    with session_scope() as session:
        rina = add_agent(session, "rina", seen=evening)
        queue(session, "held", status=HandoffStatus.assigned, agent_id=rina.id)
        queue(session, "ahead", status=HandoffStatus.queued)
        wait = estimate_wait(session, now=evening, settings=SETTINGS)  # 12 min > 10 left
    assert (wait.kind, wait.within_hours) == (BACK_AT, True)
    assert wait.back_at == datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA)


def test_the_promise_is_recorded_and_counted_down_never_undercut(database):
    with session_scope() as session:
        rina = add_agent(session, "rina", seen=MORNING)
        queue(session, "held", status=HandoffStatus.assigned, agent_id=rina.id)
        handoff = queue(session, "mine", status=HandoffStatus.queued, created_at=MORNING)
        promised = estimate_wait(session, handoff=handoff, now=MORNING, settings=SETTINGS)
        record_promise(handoff, promised)
        assert (handoff.predicted_wait_seconds, handoff.predicted_back_at) == (360, None)
        # Rina is done two minutes later: a fresh estimate says 1 minute, the promise 4.
        session.get(Handoff, 1).status = HandoffStatus.resolved
        later = current_wait(session, handoff, now=MORNING + timedelta(minutes=2),
                             settings=SETTINGS)
        assert later.minutes == 4
        mark_answered(handoff, MORNING + timedelta(minutes=3))
        mark_answered(handoff, MORNING + timedelta(minutes=9))  # a second claim: kept
        assert handoff.answered_at == MORNING + timedelta(minutes=3)


def test_an_after_hours_promise_is_the_time_until_opening(database):
    late = datetime(2026, 11, 24, 22, 0, tzinfo=JAKARTA)
    with session_scope() as session:
        handoff = queue(session, "night", status=HandoffStatus.queued, created_at=late)
        record_promise(handoff, estimate_wait(session, handoff=handoff, now=late,
                                              settings=SETTINGS))
        assert handoff.predicted_wait_seconds == 10 * 3600
        assert handoff.predicted_back_at == datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA)
