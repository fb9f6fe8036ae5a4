"""Admin accounts endpoint and the audit log of unredacted views and exports."""

from __future__ import annotations

import pytest

from store import audit
from store.models import Agent, Role
from tests.handoff.conftest import add_agent, add_handoff, stored

NEW_AGENT = {"username": "dewi", "display_name": "Dewi", "role": "agent",
             "password": "a long enough password"}


@pytest.fixture
def admin(shop_db):
    return add_agent("adi", Role.admin)


def test_admin_creates_an_agent_who_can_log_in(client, admin):
    response = client.post("/api/v1/agents", json=NEW_AGENT, headers=admin.headers)
    assert response.status_code == 201
    assert response.json()["username"] == "dewi" and response.json()["role"] == "agent"
    assert "password_hash" not in response.json()
    login = client.post("/api/v1/auth/login",
                        json={"username": "dewi", "password": NEW_AGENT["password"]})
    assert login.status_code == 200
    listed = client.get("/api/v1/agents", headers=admin.headers).json()["items"]
    assert [agent["username"] for agent in listed] == ["adi", "dewi"]
    [event] = stored(audit.AuditEvent, action=audit.CREATE_AGENT)
    assert event.username == "adi" and event.details == {"username": "dewi", "role": "agent"}


def test_taken_username_is_409_and_weak_password_is_422(client, admin):
    assert client.post("/api/v1/agents", json={**NEW_AGENT, "username": "adi"},
                       headers=admin.headers).status_code == 409
    response = client.post("/api/v1/agents", json={**NEW_AGENT, "password": "short"},
                           headers=admin.headers)
    assert response.status_code == 422
    assert len(stored(Agent)) == 1


@pytest.mark.parametrize("role", [Role.agent, Role.ops])
def test_agents_and_ops_cannot_create_accounts(client, shop_db, role):
    login = add_agent("someone", role)
    response = client.post("/api/v1/agents", json=NEW_AGENT, headers=login.headers)
    assert response.status_code == 403
    assert client.get("/api/v1/agents", headers=login.headers).status_code == 403
    assert [agent.username for agent in stored(Agent)] == ["someone"]


def test_unredacted_view_is_audited_and_redacted_view_is_not(client, ops):
    add_handoff("conv-1")
    client.get("/api/v1/conversations/conv-1", headers=ops.headers)
    assert stored(audit.AuditEvent) == []
    client.get("/api/v1/conversations/conv-1?unredacted=true", headers=ops.headers)
    [event] = stored(audit.AuditEvent)
    assert (event.action, event.agent_id, event.username, event.target) == (
        audit.VIEW_UNREDACTED, ops.id, "olivia", "conversation:conv-1")
    assert event.created_at is not None


def test_refused_unredacted_view_leaves_no_entry(client, rina):
    add_handoff("conv-1")
    assert client.get("/api/v1/conversations/conv-1?unredacted=true",
                      headers=rina.headers).status_code == 403
    assert stored(audit.AuditEvent) == []


def test_export_is_audited_with_filters_format_and_row_count(client, people,
                                                             three_conversations):
    response = client.get("/api/v1/conversations/export?format=jsonl&language=en"
                          "&unredacted=true", headers=people["ops"].headers)
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 2
    [event] = stored(audit.AuditEvent, action=audit.EXPORT)
    assert event.details == {"filters": {"language": "en"}, "format": "jsonl",
                             "unredacted": True, "rows": 2}


def test_admin_reads_the_audit_log_newest_first(client, admin, ops):
    add_handoff("conv-1")
    client.get("/api/v1/conversations/conv-1?unredacted=true", headers=ops.headers)
    client.get("/api/v1/conversations/export", headers=ops.headers)
    response = client.get("/api/v1/audit", headers=admin.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [item["action"] for item in body["items"]] == [audit.EXPORT, audit.VIEW_UNREDACTED]
    only = client.get(f"/api/v1/audit?action={audit.EXPORT}", headers=admin.headers).json()
    assert only["total"] == 1
    assert client.get("/api/v1/audit", headers=ops.headers).status_code == 403



def test_nul_characters_are_a_422_not_a_database_error(client, admin):
    # PostgreSQL text cannot hold NUL: found by the OpenAPI fuzzer as a 500.
    response = client.post("/api/v1/agents", json={**NEW_AGENT, "display_name": "De\x00wi"},
                           headers=admin.headers)
    assert response.status_code == 422
    login = client.post("/api/v1/auth/login", json={"username": "a\x00", "password": "x"})
    assert login.status_code == 422
    assert len(stored(Agent)) == 1
