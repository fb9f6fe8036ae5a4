"""Service metrics on a fixture whose every number is worked out by hand below.

Store time zone Asia/Jakarta (UTC+7); range 2026-11-01 .. 2026-11-03 (local days).

conv  created (UTC)   local day  channel  closed / reason     handoff (s after creation)  CES
c1    11-01 01:00     11-01      web      +10m goodbye        –                           7
c2    11-01 03:00     11-01      wa       +10m idle           –                           6
c3    11-01 20:00     11-02      web      +10m goodbye        –                           declined
c4    11-02 02:00     11-02      web      +20m resolved       complaint  a+100 r+20 h+600  3
c5    11-02 04:00     11-02      wa       +30m resolved       delayed    a+300 r+40 h+1200 5
c6    11-03 05:00     11-03      web      open                complaint  a+50 (no reply)   –
c7    11-03 06:00     11-03      web      +15m idle           –                           –
c9    10-31 16:59     10-31 (out of range: handoff + CES 1 must not count)
c10   11-03 17:00     11-04 (out of range; customer 5 comes back 10h45m after c7 closed)
Customer 1 owns c1 and c3: c3 starts 18h50m after c1 closed, so c1 was reopened.
Wait promised when queued -> answered (first claim): c4 120 s -> 100 s, c5 240 s -> 300 s,
c6 no time promised (nobody online) -> 50 s.

Every conversation above has a customer message. Two more have none and must count
nowhere (a widget opened and never written in, from before a `start` stored nothing):
e1    11-01 05:00     11-01      web      +10m idle           complaint handoff (stray)  CES 1
e2    11-02 09:00     11-02      web      open                –                           –
Customer 2 owns e1: counted, it would make c2 "reopened" (e1 starts 1h50m after c2 closed).
So every rate below is over the 7 conversations with a customer message, never over 9.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import partial

import pytest

from handoff.ops.metrics import compute_metrics, percentile
from store import db
from store.db import session_scope
from store.models import Conversation, Customer, HandoffStatus
from tests.handoff.conftest import add_agent, add_conversation

UTC = timezone.utc


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def handoff(start: datetime, reason: str, assigned: int | None = None,
            reply: int | None = None, handled: int | None = None,
            promised: int | None = None) -> dict:
    assigned_at = start + timedelta(seconds=assigned) if assigned is not None else None
    return {
        "predicted_wait_seconds": promised,
        "answered_at": assigned_at,
        "reason": reason,
        "created_at": start,
        "assigned_at": assigned_at,
        "first_agent_reply_at": assigned_at + timedelta(seconds=reply) if reply else None,
        "resolved_at": assigned_at + timedelta(seconds=handled) if handled else None,
        "status": HandoffStatus.resolved if handled else (
            HandoffStatus.assigned if assigned is not None else HandoffStatus.queued),
    }


@pytest.fixture
def fixture_data(shop_db) -> None:
    with session_scope() as session:
        session.add_all([Customer(id=n, name=f"Customer {n}") for n in (1, 2, 3, 5)])
    c = partial(add_conversation, messages=[("customer", "Halo kak"), ("bot", "Halo!")])
    empty = partial(add_conversation, messages=[])
    empty("e1", created_at=at(1, 5), closed_at=at(1, 5, 10), close_reason="idle",
          customer_id=2, handoffs=[handoff(at(1, 5), "complaint", 10, 10, 10)],
          surveys=[{"score": 1}])
    empty("e2", created_at=at(2, 9))
    c("c1", created_at=at(1, 1), closed_at=at(1, 1, 10), close_reason="goodbye",
      customer_id=1, surveys=[{"score": 7}])
    c("c2", created_at=at(1, 3), channel="whatsapp", closed_at=at(1, 3, 10),
      close_reason="idle", customer_id=2, surveys=[{"score": 6}])
    c("c3", created_at=at(1, 20), closed_at=at(1, 20, 10), close_reason="goodbye",
      customer_id=1, surveys=[{"score": None, "declined": True}])
    c("c4", created_at=at(2, 2), closed_at=at(2, 2, 20), close_reason="resolved",
      customer_id=3, handoffs=[handoff(at(2, 2), "complaint", 100, 20, 600, promised=120)],
      surveys=[{"score": 3, "human_involved": True}])
    c("c5", created_at=at(2, 4), channel="whatsapp", closed_at=at(2, 4, 30),
      close_reason="resolved", handoffs=[handoff(at(2, 4), "order_delayed", 300, 40, 1200,
                                                          promised=240)],
      surveys=[{"score": 5, "human_involved": True}])
    c("c6", created_at=at(3, 5), handoffs=[handoff(at(3, 5), "complaint", 50)])
    c("c7", created_at=at(3, 6), closed_at=at(3, 6, 15), close_reason="idle", customer_id=5)
    c("c9", created_at=at(31, 16, 59, month=10), closed_at=at(31, 17, month=10),
      close_reason="goodbye", handoffs=[handoff(at(31, 16, 59, month=10), "complaint", 5, 5, 5)],
      surveys=[{"score": 1}])
    c("c10", created_at=at(3, 17), customer_id=5, surveys=[{"score": 2}])


EXPECTED = {
    "from": "2026-11-01",
    "to": "2026-11-03",
    "conversations": {
        "total": 7,  # c1–c7; e1 and e2 had no customer message
        "by_day": [{"date": "2026-11-01", "count": 2}, {"date": "2026-11-02", "count": 3},
                   {"date": "2026-11-03", "count": 2}],
        "by_channel": {"web": 5, "whatsapp": 2},
    },
    # closed: c1 c2 c3 c4 c5 c7 = 6; without a handoff: c1 c2 c3 c7 = 4 -> 4/6
    "containment": {"closed": 6, "without_human": 4, "rate": 0.6667},
    # goodbye: c1 c3; idle: c2 c7
    "bot_resolutions": {"confirmed": 2, "assumed": 2},
    # c4 c5 c6 of 7; complaint c4 c6 = 2/7, order_delayed c5 = 1/7
    "handoffs": {"total": 3, "rate": 0.4286, "by_reason": [
        {"reason": "complaint", "count": 2, "rate": 0.2857},
        {"reason": "order_delayed", "count": 1, "rate": 0.1429},
    ]},
    "ces": {
        "surveys_sent": 5,  # c1 c2 c3 c4 c5
        "answers": 4,  # c3 declined
        "response_rate": 0.8,
        "mean": 5.25,  # (7 + 6 + 3 + 5) / 4
        "easy_share": 0.75,  # 7 6 5
        "net_effort": 0.5,  # (3 easy - 1 hard) / 4
        "distribution": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1, "6": 1, "7": 1},
        "bot_only": {"answers": 2, "mean": 6.5},  # c1 7, c2 6
        "handed_off": {"answers": 2, "mean": 4.0},  # c4 3, c5 5
        "by_reason": [{"reason": "complaint", "answers": 1, "mean": 3.0},
                      {"reason": "order_delayed", "answers": 1, "mean": 5.0}],
    },
    # [50, 100, 300]: p50 = 100; p90 rank 1.8 -> 100 + 0.8 * 200 = 260
    "time_to_agent": {"n": 3, "p50_seconds": 100.0, "p90_seconds": 260.0},
    # [20, 40]: p50 = 30; p90 = 20 + 0.9 * 20 = 38
    "first_agent_response": {"n": 2, "p50_seconds": 30.0, "p90_seconds": 38.0},
    # [600, 1200]: p50 = 900; p90 = 600 + 0.9 * 600 = 1140
    "handling_time": {"n": 2, "p50_seconds": 900.0, "p90_seconds": 1140.0},
    # actual - promised: c4 100-120 = -20, c5 300-240 = 60; p50 = 20, p90 = -20 + 0.9 * 80
    "wait_promises": {"n": 2, "no_time_promised": 1, "not_answered_yet": 0,
                      "error_p50_seconds": 20.0, "error_p90_seconds": 52.0,
                      "under_promised": 1, "under_promised_share": 0.5},
    # c1 (c3 18h50m later) and c7 (c10 10h45m later, outside the range) of 6 closed
    "reopened_within_24h": {"closed": 6, "reopened": 2, "rate": 0.3333},
}


def test_every_metric_matches_the_hand_computed_fixture(fixture_data):
    with db.session_scope() as session:
        assert compute_metrics(session, date(2026, 11, 1), date(2026, 11, 3)) == EXPECTED


def test_rates_are_over_conversations_a_customer_wrote_in(fixture_data):
    """The denominators, spelled out: 9 conversations were stored in the range, 7 had a
    customer message; the handoff rate is 3/7, not 3/9, and nothing of e1 or e2 counts."""
    with db.session_scope() as session:
        stored = session.query(Conversation).filter(
            Conversation.created_at >= at(1, 0) - timedelta(hours=7),
            Conversation.created_at < at(4, 0) - timedelta(hours=7)).count()
        metrics = compute_metrics(session, date(2026, 11, 1), date(2026, 11, 3))
    assert stored == 9
    assert metrics["conversations"]["total"] == 7
    assert metrics["handoffs"]["total"] == 3 and metrics["handoffs"]["rate"] == round(3 / 7, 4)
    assert metrics["containment"]["closed"] == 6  # e1 was closed too, and is not counted
    assert metrics["ces"]["surveys_sent"] == 5 and 1 not in [
        int(score) for score, n in metrics["ces"]["distribution"].items() if n]
    assert metrics["time_to_agent"]["n"] == 3
    assert metrics["reopened_within_24h"]["reopened"] == 2  # c2 is not "reopened" by e1


def test_metrics_endpoint_serves_the_same_numbers_to_ops(client, fixture_data):
    ops = add_agent("olivia", role="ops")
    response = client.get("/api/v1/metrics?from=2026-11-01&to=2026-11-03", headers=ops.headers)
    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_an_empty_range_has_counts_of_zero_and_no_rates(shop_db):
    with db.session_scope() as session:
        empty = compute_metrics(session, date(2020, 1, 1), date(2020, 1, 1))
    assert empty["conversations"]["total"] == 0
    assert empty["containment"] == {"closed": 0, "without_human": 0, "rate": None}
    assert empty["ces"]["mean"] is None
    assert empty["time_to_agent"] == {"n": 0, "p50_seconds": None, "p90_seconds": None}


@pytest.mark.parametrize("query,field", [
    ("from=2026-11-05&to=2026-11-01", "to"),
    ("from=yesterday", "from"),
    ("from=2024-01-01&to=2026-01-01", "to"),
])
def test_bad_ranges_are_422(client, shop_db, query, field):
    ops = add_agent("olivia", role="ops")
    response = client.get(f"/api/v1/metrics?{query}", headers=ops.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_percentiles_interpolate_linearly():
    assert percentile([10], 0.9) == 10
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([], 0.5) is None
