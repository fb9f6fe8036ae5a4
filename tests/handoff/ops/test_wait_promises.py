"""The wait promised when a customer is queued, against when an agent answered, on the
dashboard: measured from the rows the real claim, transfer and reply paths write."""

from __future__ import annotations

from datetime import timedelta

from handoff.ops.metrics import compute_metrics
from store import db, settings
from store.hours import local_today
from store.models import Handoff, Role
from tests.handoff.conftest import add_agent, add_handoff, stored
from tests.hours import OPEN_ALL_DAY


def test_promise_and_first_answer_are_recorded_and_measured(client, monkeypatch):
    monkeypatch.setenv("OPENING_HOURS", OPEN_ALL_DAY)
    settings.get_settings.cache_clear()
    rina, budi = add_agent("rina"), add_agent("budi")
    ops = add_agent("olivia", Role.ops)
    busy = add_handoff("already-waiting")  # nobody online yet: no time promised
    for agent in (rina, budi):
        client.post("/api/v1/agents/heartbeat", headers=agent.headers)
    handoff_id = add_handoff("conv-1")  # one customer ahead, two agents free

    [promised] = stored(Handoff, id=handoff_id)
    assert promised.predicted_wait_seconds == 3 * 60  # 1 ahead × 6 min ÷ 2 agents
    assert stored(Handoff, id=busy)[0].predicted_wait_seconds is None

    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200
    [claimed] = stored(Handoff, id=handoff_id)
    assert client.post(f"/api/v1/handoffs/{handoff_id}/transfer",
                       headers=rina.headers).status_code == 200
    client.post(f"/api/v1/handoffs/{handoff_id}/claim", headers=budi.headers)
    client.post(f"/api/v1/handoffs/{handoff_id}/messages", json={"text": "Halo Kak"},
                headers=budi.headers)
    [answered] = stored(Handoff, id=handoff_id)
    assert answered.answered_at == claimed.answered_at  # the first claim ended the wait

    waited = (answered.answered_at - answered.created_at).total_seconds()
    error = round(waited - answered.predicted_wait_seconds, 1)
    today = local_today(settings.get_settings()).isoformat()
    response = client.get(f"/api/v1/metrics?from={today}&to={today}", headers=ops.headers)
    assert response.json()["wait_promises"] == {
        "n": 1, "no_time_promised": 1, "not_answered_yet": 0,
        "error_p50_seconds": error, "error_p90_seconds": error,
        "under_promised": 1, "under_promised_share": 1.0}


def test_a_broken_promise_shows_as_a_positive_error(shop_db):
    handoff_id = add_handoff("late")
    with db.session_scope() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.predicted_wait_seconds = 60
        handoff.answered_at = handoff.created_at + timedelta(minutes=5)
        day = local_today(settings.get_settings(), handoff.created_at)
        promises = compute_metrics(session, day, day)["wait_promises"]
    assert (promises["error_p50_seconds"], promises["under_promised_share"]) == (240.0, 0.0)
