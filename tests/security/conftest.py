"""The API fixtures of tests/handoff (migrated database on SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set; a TestClient; agents with tokens), reused as they are."""

from tests.handoff.conftest import (  # noqa: F401 (fixtures)
    client,
    database_url,
    ops,
    people,
    rina,
    shop_db,
    surveys,
    three_conversations,
)
