"""Login throttling: 5 failures per username or per client address in 15 minutes."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from handoff.app import create_app
from store import db, throttle
from store.models import utcnow
from tests.handoff.conftest import PASSWORD, add_agent, stored


def login(client, username="rina", password="wrong password"):  # noqa: ANN001, ANN201
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_sixth_attempt_for_a_username_is_429_even_with_the_right_password(client, rina):
    for _ in range(throttle.LOGIN_LIMIT):
        assert login(client).status_code == 401
    response = login(client, password=PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "token" not in response.json()


def test_failures_from_one_address_throttle_every_username(client, rina):
    for n in range(throttle.LOGIN_LIMIT):
        assert login(client, username=f"guess{n}").status_code == 401
    assert login(client, password=PASSWORD).status_code == 429


def test_usernames_are_counted_case_insensitively(client, rina):
    for name in ("Rina", "RINA", " rina", "rinA", "rina"):
        login(client, username=name)
    rows = stored(throttle.LoginAttempt)
    assert {row.username for row in rows} == {"rina"} and len(rows) == 5


def test_a_success_below_the_limit_resets_the_username(client, rina):
    for _ in range(throttle.LOGIN_LIMIT - 1):
        login(client)
    assert login(client, password=PASSWORD).status_code == 200
    assert stored(throttle.LoginAttempt, username="rina") == []


def test_failures_older_than_the_window_do_not_count(client, rina):
    old = utcnow() - throttle.LOGIN_WINDOW - timedelta(seconds=1)
    with db.session_scope() as session:
        for _ in range(throttle.LOGIN_LIMIT):
            session.add(throttle.LoginAttempt(username="rina", client_ip="testclient",
                                              attempted_at=old))
    assert login(client, password=PASSWORD).status_code == 200


def test_the_count_is_shared_by_every_process(client, shop_db, surveys):
    add_agent("rina")
    for _ in range(throttle.LOGIN_LIMIT):
        login(client)
    with TestClient(create_app(idle_sweeper=False)) as other_process:
        assert login(other_process, password=PASSWORD).status_code == 429


def test_retry_after_counts_down_from_the_oldest_failure(shop_db):
    now = utcnow()
    with db.session_scope() as session:
        for minutes in (10, 8, 6, 4, 2):
            throttle.record_failed_login(session, "rina", "10.0.0.1",
                                         now=now - timedelta(minutes=minutes))
        try:
            throttle.check_login(session, "rina", "10.0.0.2", now=now)
        except throttle.Throttled as error:
            assert error.retry_after == 5 * 60
        else:
            raise AssertionError("not throttled")
