"""Login throttling: per account and client address, growing delays, decided atomically, and
never a way to lock the admin out."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from handoff.app import create_app
from handoff.auth import accounts, credentials
from scripts.processes import free_port
from store import audit, db, throttle
from store.models import Role, utcnow
from tests.browser.servers import serve
from tests.handoff.conftest import PASSWORD, add_agent, stored

ATTACKER, OWNER = ("203.0.113.9", 40000), ("198.51.100.7", 40000)


def login(client, username="rina", password="wrong password"):  # noqa: ANN001, ANN201
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


@pytest.fixture
def from_address(shop_db, surveys) -> Iterator:
    """TestClients of one app, each seen by the gateway as coming from its own address."""
    app = create_app(idle_sweeper=False)
    clients = []

    def client_at(address: tuple[str, int]) -> TestClient:
        test_client = TestClient(app, client=address)
        clients.append(test_client.__enter__())
        return test_client

    yield client_at
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """Every password verification the gateway makes (argon2 is the expensive part)."""
    checked: list[str] = []
    lock = threading.Lock()
    verify = credentials.verify_password

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            checked.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(credentials, "verify_password", counting)
    return checked


async def test_twenty_concurrent_guesses_check_no_more_passwords_than_the_limit(
        shop_db, surveys, password_checks, monkeypatch):
    add_agent("rina")
    delay = throttle.login_delay

    def slow_login_delay(failures: int, free: int = throttle.LOGIN_LIMIT) -> timedelta:
        time.sleep(0.02)  # a slow database: widens any gap between deciding and recording
        return delay(failures, free)

    monkeypatch.setattr(throttle, "login_delay", slow_login_delay)
    with serve(create_app(idle_sweeper=False), free_port()) as url:
        async with httpx.AsyncClient(base_url=url, timeout=None) as client:
            answers = await asyncio.gather(*[
                client.post("/api/v1/auth/login",
                            json={"username": "rina", "password": f"guess {n}"})
                for n in range(20)])
    statuses = sorted(answer.status_code for answer in answers)
    # At most the limit; on a busy machine SQLite may refuse one as busy (503, retry later).
    assert 0 < len(password_checks) <= throttle.LOGIN_LIMIT
    assert statuses.count(401) == len(password_checks)
    assert set(statuses) <= {401, 429, 503} and statuses.count(429) >= 20 - throttle.LOGIN_LIMIT
    assert all("Retry-After" in answer.headers for answer in answers
               if answer.status_code in (429, 503))


def test_an_attacker_cannot_lock_the_owner_out_from_another_address(from_address, shop_db):
    add_agent("adi", Role.admin)
    attacker, owner = from_address(ATTACKER), from_address(OWNER)
    answers = [login(attacker, "adi").status_code for _ in range(10)]
    assert answers == [401] * throttle.LOGIN_LIMIT + [429] * 5
    assert login(owner, "adi", PASSWORD).status_code == 200
    assert login(attacker, "adi", PASSWORD).status_code == 429  # still slowed down there


def test_the_sixth_attempt_from_the_same_address_waits_even_with_the_right_password(
        client, rina):
    for _ in range(throttle.LOGIN_LIMIT):
        assert login(client).status_code == 401
    response = login(client, password=PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= throttle.LOGIN_FIRST_DELAY.seconds
    assert "token" not in response.json()


def test_delays_grow_with_each_failure_and_end_after_the_wait(shop_db):
    now = utcnow()

    def attempt(at: timedelta) -> int:
        """Seconds to wait, or 0 when the attempt was let through (and failed)."""
        with db.session_scope() as session:
            try:
                throttle.start_login(session, "rina", "10.0.0.1", now=now + at)
            except throttle.Throttled as error:
                return error.retry_after
            return 0

    assert [attempt(timedelta(0)) for _ in range(throttle.LOGIN_LIMIT)] == [0] * 5
    assert attempt(timedelta(0)) == 30
    assert attempt(timedelta(seconds=30)) == 0  # the 6th failure
    assert attempt(timedelta(seconds=30)) == 60
    assert attempt(timedelta(seconds=90)) == 0  # the 7th
    assert attempt(timedelta(seconds=90)) == 120
    assert throttle.login_delay(40) == throttle.LOGIN_MAX_DELAY
    with db.session_scope() as session:  # another address is not slowed down at all
        throttle.start_login(session, "rina", "10.0.0.2", now=now + timedelta(seconds=90))


def test_one_address_trying_many_usernames_is_slowed_down(from_address, shop_db):
    add_agent("rina")
    sprayer = from_address(ATTACKER)
    for n in range(throttle.LOGIN_ADDRESS_LIMIT):
        assert login(sprayer, username=f"guess{n}").status_code == 401
    assert login(sprayer, password=PASSWORD).status_code == 429
    assert login(from_address(OWNER), password=PASSWORD).status_code == 200


def test_usernames_are_counted_case_insensitively(client, rina):
    for name in ("Rina", "RINA", " rina", "rinA", "rina"):
        login(client, username=name)
    rows = stored(throttle.LoginAttempt)
    assert {row.username for row in rows} == {"rina"} and len(rows) == 5
    assert login(client, password=PASSWORD).status_code == 429


def test_a_success_below_the_limit_resets_the_username_at_that_address(client, rina):
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


def test_an_admin_clears_the_delays_through_the_api_and_it_is_audited(from_address, shop_db):
    admin = add_agent("adi", Role.admin)
    rina = add_agent("rina")
    owner = from_address(OWNER)
    for _ in range(throttle.LOGIN_LIMIT):
        login(owner)
    assert login(owner, password=PASSWORD).status_code == 429
    accounts_view = owner.get("/api/v1/agents", headers=admin.headers).json()["items"]
    assert {a["username"]: a["login_failures"] for a in accounts_view}["rina"] == 5
    cleared = owner.delete(f"/api/v1/agents/{rina.id}/login-failures", headers=admin.headers)
    assert cleared.status_code == 200 and cleared.json() == {"failures_cleared": 5}
    assert login(owner, password=PASSWORD).status_code == 200
    [event] = stored(audit.AuditEvent, action=audit.CLEAR_LOGIN_FAILURES)
    assert (event.username, event.target, event.details) == (
        "adi", f"agent:{rina.id}", {"username": "rina", "failures_cleared": 5})
    assert owner.delete(f"/api/v1/agents/{rina.id}/login-failures",
                        headers=rina.headers).status_code == 403


def test_the_cli_clears_the_delays_and_it_is_audited(client, rina, capsys):
    for _ in range(throttle.LOGIN_LIMIT):
        login(client)
    assert accounts.main(["clear-login-failures", "--username", "rina"]) == 0
    assert "Forgot 5 failed logins of 'rina'" in capsys.readouterr().out
    assert login(client, password=PASSWORD).status_code == 200
    [event] = stored(audit.AuditEvent, action=audit.CLEAR_LOGIN_FAILURES)
    assert (event.username, event.agent_id) == ("cli", None)


def test_wrong_current_passwords_on_a_password_change_are_throttled_too(client, rina):
    body = {"current_password": "not it", "new_password": "a brand new password"}
    for _ in range(throttle.LOGIN_LIMIT):
        assert client.post("/api/v1/auth/password", json=body,
                           headers=rina.headers).status_code == 403
    right = {**body, "current_password": PASSWORD}
    assert client.post("/api/v1/auth/password", json=right,
                       headers=rina.headers).status_code == 429
