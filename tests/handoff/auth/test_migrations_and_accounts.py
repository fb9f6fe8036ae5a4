"""Migrations cover every table; accounts: the first admin and the CLI."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from handoff.auth.accounts import AccountError, create_agent, ensure_first_admin, main
from store import db
from store.migrate import head_revision, load_all_models, upgrade_to_head
from store.models import Agent, Role
from tests.handoff.conftest import stored


def test_the_migrated_schema_matches_the_models(shop_db):
    load_all_models()
    with shop_db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.Base.metadata) == []
        assert "api_tokens" in inspect(connection).get_table_names()


def test_upgrading_a_database_at_head_changes_nothing(shop_db):
    assert upgrade_to_head(shop_db) == head_revision()
    assert upgrade_to_head(shop_db) == head_revision()


def test_a_database_made_with_create_all_is_adopted(tmp_path):
    load_all_models()
    engine = db.make_engine(f"sqlite:///{tmp_path}/old.db")
    db.Base.metadata.create_all(engine)
    assert upgrade_to_head(engine) == head_revision()
    engine.dispose()


def test_first_admin_is_created_once_and_can_log_in(client, shop_db):
    with db.session_scope() as session:
        credentials = ensure_first_admin(session)
    assert credentials is not None
    username, password = credentials
    with db.session_scope() as session:
        assert ensure_first_admin(session) is None
    response = client.post("/api/v1/auth/login", json={"username": username,
                                                       "password": password})
    assert response.status_code == 200
    assert response.json()["agent"]["role"] == "admin"


@pytest.mark.parametrize("fields,message", [
    ({"username": "a"}, "username"),
    ({"username": "Rina Putri"}, "username"),
    ({"display_name": " "}, "name"),
    ({"password": "short"}, "password"),
])
def test_bad_accounts_are_refused(shop_db, fields, message):
    values = {"username": "rina", "display_name": "Rina", "role": Role.agent,
              "password": "long enough password", **fields}
    with db.session_scope() as session, pytest.raises(AccountError, match=message):
        create_agent(session, **values)


def test_cli_adds_an_agent_with_a_generated_password(shop_db, capsys):
    assert main(["add", "--username", "rina", "--name", "Rina", "--role", "agent"]) == 0
    output = capsys.readouterr().out
    assert "Password (shown once): " in output
    [agent] = stored(Agent, username="rina")
    assert agent.role == Role.agent and agent.display_name == "Rina"
    assert main(["add", "--username", "rina", "--name", "Rina"]) == 1
    assert "taken" in capsys.readouterr().err
