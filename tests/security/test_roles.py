"""Every endpoint under /api/v1 refuses the anonymous (401) and the lower roles (403).

The routes are read from create_app(), and each must be listed in ROUTE_ROLES: a new
endpoint without a declared role fails test_every_api_route_declares_its_role.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from handoff.app import create_app
from store.models import Role
from tests.handoff.conftest import add_agent, add_handoff

PUBLIC = "public"
AGENT, OPS, ADMIN = Role.agent.value, Role.ops.value, Role.admin.value
RANK = [AGENT, OPS, ADMIN]

ROUTE_ROLES = {
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): AGENT,
    ("POST", "/api/v1/auth/password"): AGENT,
    ("GET", "/api/v1/auth/me"): AGENT,
    ("POST", "/api/v1/agents/heartbeat"): AGENT,
    ("GET", "/api/v1/handoffs"): AGENT,
    ("GET", "/api/v1/handoffs/{handoff_id}"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/claim"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/transfer"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/messages"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/attachments"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/notes"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/typing"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/resolve"): AGENT,
    ("POST", "/api/v1/handoffs/{handoff_id}/assign"): OPS,
    ("GET", "/api/v1/team"): AGENT,
    ("GET", "/api/v1/canned-replies"): AGENT,
    # Agents manage their own; shared ones are checked per reply (tests/handoff/inbox).
    ("POST", "/api/v1/canned-replies"): AGENT,
    ("PATCH", "/api/v1/canned-replies/{reply_id}"): AGENT,
    ("DELETE", "/api/v1/canned-replies/{reply_id}"): AGENT,
    ("GET", "/api/v1/handoffs/{handoff_id}/canned-replies"): AGENT,
    ("GET", "/api/v1/events"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}"): AGENT,
    ("GET", "/api/v1/conversations"): OPS,
    ("GET", "/api/v1/conversations/export"): OPS,
    ("GET", "/api/v1/metrics"): OPS,
    ("GET", "/api/v1/agents"): ADMIN,
    ("POST", "/api/v1/agents"): ADMIN,
    ("POST", "/api/v1/agents/{agent_id}/deactivate"): ADMIN,
    ("POST", "/api/v1/agents/{agent_id}/reactivate"): ADMIN,
    ("POST", "/api/v1/agents/{agent_id}/password"): ADMIN,
    ("DELETE", "/api/v1/agents/{agent_id}/sessions"): ADMIN,
    ("DELETE", "/api/v1/agents/{agent_id}/login-failures"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
}


def api_routes() -> list[tuple[str, str]]:
    routes = []
    for route in create_app(idle_sweeper=False).routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/v1"):
            routes.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return routes


ROUTES = api_routes()
PROTECTED = [route for route in ROUTES if ROUTE_ROLES.get(route) != PUBLIC]
LOWER_ROLE_CASES = [
    (method, path, lower)
    for method, path in ROUTES if ROUTE_ROLES.get((method, path)) in (OPS, ADMIN)
    for lower in RANK[:RANK.index(ROUTE_ROLES[(method, path)])]
]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_route_declares_its_role():
    assert set(ROUTES) == set(ROUTE_ROLES)


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_api_route_without_credentials_is_401(client, method, path):
    response = client.request(method, concrete(path))
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_api_route_with_an_unknown_token_is_401(client, method, path):
    response = client.request(method, concrete(path),
                              headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "role"), LOWER_ROLE_CASES)
def test_api_route_refuses_lower_roles_with_403(client, shop_db, method, path, role):
    login = add_agent(f"low-{role}", Role(role))
    response = client.request(method, concrete(path), headers=login.headers)
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": "Not allowed for your role"}


def test_ops_routes_include_the_ones_with_personal_data():
    ops_routes = {path for (method, path), role in ROUTE_ROLES.items() if role in (OPS, ADMIN)}
    assert {"/api/v1/conversations", "/api/v1/conversations/export", "/api/v1/metrics",
            "/api/v1/agents", "/api/v1/audit"} <= ops_routes


def test_agent_asking_for_unredacted_conversation_is_403(client, rina):
    add_handoff("conv-1")  # queued, not held by rina
    response = client.get("/api/v1/conversations/conv-1?unredacted=true", headers=rina.headers)
    assert response.status_code == 403


@pytest.mark.parametrize("role", [OPS, ADMIN])
def test_ops_and_admin_may_see_unredacted_conversation(client, shop_db, role):
    add_handoff("conv-1")
    login = add_agent(f"high-{role}", Role(role))
    response = client.get("/api/v1/conversations/conv-1?unredacted=true", headers=login.headers)
    assert response.status_code == 200
    assert response.json()["redacted"] is False
