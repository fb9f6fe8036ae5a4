"""Alembic environment: every table on store.db.Base, URL from store.settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from store.db import Base, get_engine
from store.migrate import load_all_models

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

load_all_models()
target_metadata = Base.metadata


def _options(url_is_sqlite: bool) -> dict:
    # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
    return {"target_metadata": target_metadata, "compare_type": True,
            "render_as_batch": url_is_sqlite}


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or str(get_engine().url)
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_options(url.startswith("sqlite")))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by store.migrate
        _run(connection)
        return
    with get_engine().connect() as connection:
        _run(connection)


def _run(connection) -> None:  # noqa: ANN001 (an SQLAlchemy Connection)
    context.configure(connection=connection,
                      **_options(connection.dialect.name == "sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
