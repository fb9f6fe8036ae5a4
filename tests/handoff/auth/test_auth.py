"""Logging in, tokens, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.auth.credentials import (
    AuthError,
    agent_for_token,
    hash_password,
    hash_token,
    token_lifetime,
    verify_password,
)
from store import db
from store.models import Agent, ApiToken, Role, utcnow
from store.settings import get_settings
from tests.handoff.conftest import PASSWORD, add_agent, stored


def test_passwords_are_hashed_with_argon2_and_verified():
    hashed = hash_password("s3cret-enough")
    assert hashed.startswith("$argon2id$") and "s3cret" not in hashed
    assert verify_password(hashed, "s3cret-enough")
    assert not verify_password(hashed, "wrong")
    assert not verify_password("not-a-hash", "s3cret-enough")


def test_token_lifetime_comes_from_token_hours(monkeypatch):
    monkeypatch.delenv("TOKEN_HOURS", raising=False)
    get_settings.cache_clear()
    assert token_lifetime() == timedelta(hours=12)
    monkeypatch.setenv("TOKEN_HOURS", "1.5")
    get_settings.cache_clear()
    assert token_lifetime() == timedelta(minutes=90)


@pytest.mark.parametrize("bad", ["soon", "0", "-3"])
def test_bad_token_hours_is_a_clear_error(monkeypatch, bad):
    monkeypatch.setenv("TOKEN_HOURS", bad)
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="TOKEN_HOURS"):
        token_lifetime()


def test_login_returns_a_token_that_is_stored_only_as_a_hash(client, shop_db):
    add_agent("rina")
    response = client.post("/api/v1/auth/login", json={"username": " Rina ",
                                                       "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["agent"]["username"] == "rina" and body["agent"]["role"] == "agent"
    hashes = [row.token_hash for row in stored(ApiToken)]
    assert hash_token(body["token"]) in hashes and body["token"] not in hashes
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["display_name"] == "Rina"


@pytest.mark.parametrize("username,password", [("rina", "wrong password"),
                                               ("nobody", PASSWORD)])
def test_bad_credentials_are_one_vague_401(client, shop_db, username, password):
    add_agent("rina")
    response = client.post("/api/v1/auth/login", json={"username": username,
                                                       "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username or password"}


@pytest.mark.parametrize("body,field", [
    ({"password": "x"}, "username"),
    ({"username": "rina"}, "password"),
    ({"username": "", "password": "x"}, "username"),
    ({"username": "r" * 65, "password": "x"}, "username"),
    ({"username": "rina", "password": "p" * 257}, "password"),
])
def test_malformed_login_is_422_naming_the_field(client, body, field):
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_deactivated_agent_cannot_log_in_and_loses_open_sessions(client, shop_db):
    login = add_agent("rina")
    with db.session_scope() as session:
        session.get(Agent, login.id).is_active = False
    assert client.get("/api/v1/auth/me", headers=login.headers).status_code == 401
    response = client.post("/api/v1/auth/login", json={"username": "rina",
                                                       "password": PASSWORD})
    assert response.status_code == 401


def test_logout_ends_the_token(client, shop_db):
    login = add_agent("rina")
    assert client.post("/api/v1/auth/logout", headers=login.headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=login.headers).status_code == 401


def test_expired_token_is_rejected(shop_db):
    login = add_agent("rina")
    with db.session_scope() as session, pytest.raises(AuthError):
        agent_for_token(session, login.token, now=utcnow() + timedelta(hours=13))


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"},
                                     {"Authorization": "Basic cmluYTp4"}])
def test_missing_or_unknown_token_is_401(client, headers):
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_in_the_query_string_only_works_for_the_event_stream(client, shop_db):
    login = add_agent("rina")
    assert client.get(f"/api/v1/auth/me?token={login.token}").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/conversations", "/api/v1/metrics",
                                  "/api/v1/conversations/export"])
def test_ops_pages_are_403_for_agents(client, shop_db, path):
    login = add_agent("rina", Role.agent)
    assert client.get(path, headers=login.headers).status_code == 403
