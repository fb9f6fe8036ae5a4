"""Accounts end when they should: deactivation, a changed or reset password and an admin's
"end sessions" revoke every token of the account, through the API and the CLI, audited."""

from __future__ import annotations

import pytest

from handoff.auth import accounts
from store import audit, db
from store.models import Agent, Role
from tests.handoff.conftest import PASSWORD, Login, add_agent, stored

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def admin(shop_db) -> Login:
    return add_agent("adi", Role.admin)


def second_browser(client, username: str = "rina", password: str = PASSWORD) -> Login:  # noqa: ANN001
    response = client.post("/api/v1/auth/login", json={"username": username,
                                                       "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return Login(body["agent"]["id"], username, body["token"])


def signed_in(client, login: Login) -> bool:  # noqa: ANN001
    return client.get("/api/v1/auth/me", headers=login.headers).status_code == 200


def login_answer(client, username: str, password: str) -> tuple[int, dict]:  # noqa: ANN001
    response = client.post("/api/v1/auth/login", json={"username": username,
                                                       "password": password})
    return response.status_code, response.json()


def test_deactivation_ends_sessions_and_refuses_login_like_a_wrong_password(
        client, admin, rina):
    other = second_browser(client)
    response = client.post(f"/api/v1/agents/{rina.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not signed_in(client, rina) and not signed_in(client, other)
    wrong = login_answer(client, "budi-does-not-exist", "whatever password")
    assert login_answer(client, "rina", PASSWORD) == wrong == (
        401, {"detail": "Invalid username or password"})
    [event] = stored(audit.AuditEvent, action=audit.DEACTIVATE_AGENT)
    assert (event.username, event.target, event.details) == (
        "adi", f"agent:{rina.id}", {"username": "rina", "sessions_ended": 2})

    assert client.post(f"/api/v1/agents/{rina.id}/reactivate",
                       headers=admin.headers).json()["is_active"] is True
    assert not signed_in(client, rina)  # old sessions stay ended
    assert login_answer(client, "rina", PASSWORD)[0] == 200
    assert stored(audit.AuditEvent, action=audit.REACTIVATE_AGENT)[0].username == "adi"


def test_an_admin_cannot_deactivate_their_own_account(client, admin):
    response = client.post(f"/api/v1/agents/{admin.id}/deactivate", headers=admin.headers)
    assert response.status_code == 409
    assert stored(Agent, id=admin.id)[0].is_active
    assert client.post("/api/v1/agents/99999/deactivate",
                       headers=admin.headers).status_code == 404


def test_changing_ones_password_needs_the_current_one_and_ends_every_session(client, rina):
    other = second_browser(client)
    wrong = client.post("/api/v1/auth/password", headers=rina.headers,
                        json={"current_password": "not it", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 403
    assert signed_in(client, rina) and signed_in(client, other)
    short = client.post("/api/v1/auth/password", headers=rina.headers,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    changed = client.post("/api/v1/auth/password", headers=rina.headers,
                          json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200
    fresh = Login(rina.id, "rina", changed.json()["token"])
    assert not signed_in(client, rina) and not signed_in(client, other)
    assert signed_in(client, fresh)
    assert login_answer(client, "rina", PASSWORD)[0] == 401
    assert login_answer(client, "rina", NEW_PASSWORD)[0] == 200
    [event] = stored(audit.AuditEvent, action=audit.CHANGE_PASSWORD)
    assert (event.username, event.details) == ("rina", {"username": "rina",
                                                        "sessions_ended": 2})


def test_an_admin_reset_generates_a_password_shown_once_and_ends_sessions(client, admin, rina):
    response = client.post(f"/api/v1/agents/{rina.id}/password", headers=admin.headers,
                           json={})
    assert response.status_code == 200
    generated = response.json()["password"]
    assert len(generated) >= accounts.MIN_PASSWORD_CHARS
    assert not signed_in(client, rina)
    assert login_answer(client, "rina", PASSWORD)[0] == 401
    assert login_answer(client, "rina", generated)[0] == 200
    chosen = client.post(f"/api/v1/agents/{rina.id}/password", headers=admin.headers,
                         json={"password": NEW_PASSWORD})
    assert chosen.status_code == 200 and chosen.json()["password"] is None
    assert login_answer(client, "rina", NEW_PASSWORD)[0] == 200
    events = stored(audit.AuditEvent, action=audit.RESET_PASSWORD)
    assert len(events) == 2
    assert all(generated not in str(e.details) and NEW_PASSWORD not in str(e.details)
               for e in events)
    assert client.post(f"/api/v1/agents/{rina.id}/password", headers=admin.headers,
                       json={"password": "short"}).status_code == 422


def test_an_admin_ends_every_session_of_an_account(client, admin, rina):
    other = second_browser(client)
    response = client.delete(f"/api/v1/agents/{rina.id}/sessions", headers=admin.headers)
    assert response.status_code == 200 and response.json() == {"sessions_ended": 2}
    assert not signed_in(client, rina) and not signed_in(client, other)
    assert signed_in(client, admin)
    assert login_answer(client, "rina", PASSWORD)[0] == 200  # the password still works
    [event] = stored(audit.AuditEvent, action=audit.END_SESSIONS)
    assert event.details == {"username": "rina", "sessions_ended": 2}


def test_the_cli_does_the_same_and_is_audited(client, rina, capsys):
    assert accounts.main(["deactivate", "--username", "rina"]) == 0
    assert not signed_in(client, rina)
    assert login_answer(client, "rina", PASSWORD)[0] == 401
    assert accounts.main(["reactivate", "--username", "rina"]) == 0
    assert accounts.main(["reset-password", "--username", "rina"]) == 0  # not a terminal
    output = capsys.readouterr().out
    password = output.split("Password (shown once): ")[1].split()[0]
    assert login_answer(client, "rina", password)[0] == 200
    assert accounts.main(["end-sessions", "--username", "rina"]) == 0
    assert "Ended 1 sessions of 'rina'" in capsys.readouterr().out
    actions = [(e.action, e.username, e.agent_id) for e in stored(audit.AuditEvent)]
    assert sorted(actions) == sorted([
        (audit.DEACTIVATE_AGENT, "cli", None), (audit.REACTIVATE_AGENT, "cli", None),
        (audit.RESET_PASSWORD, "cli", None), (audit.END_SESSIONS, "cli", None)])
    assert accounts.main(["deactivate", "--username", "nobody"]) == 1
    assert "No such account" in capsys.readouterr().err


def test_an_account_created_by_the_cli_is_audited(shop_db, capsys):
    assert accounts.main(["add", "--username", "dewi", "--name", "Dewi"]) == 0
    [event] = stored(audit.AuditEvent, action=audit.CREATE_AGENT)
    assert (event.username, event.details) == ("cli", {"username": "dewi", "role": "agent"})
    with db.session_scope() as session:
        assert accounts.find_agent(session, username="DEWI").display_name == "Dewi"
