"""The whole stack as processes: action server, Rasa server and the gateway (handoff/).

`running_stack` starts all three on free loopback ports with their own SQLite databases:
the end-to-end tests and the benchmarks both start the stack through it.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.processes import BIN, Service, free_port, start_all, stop_all

# Who may call whom inside the stack (docs/security.md); every process of a stack shares them.
INTERNAL_SECRETS = ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "CALLBACK_SECRET")


def internal_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """The internal secrets set in `env`, and a random one for each that is not."""
    return {name: env.get(name) or secrets.token_hex(32) for name in INTERNAL_SECRETS}
# Every customer of a test or benchmark stack comes from 127.0.0.1: lift the website chat's
# flood limits there (tests/security checks the limits themselves).
UVICORN_WS_WARNING = "ignore::UserWarning:uvicorn.protocols.websockets.websockets_impl"
CHAT_LIMITS_LIFTED = {name: "100000" for name in (
    "CHAT_MESSAGE_LIMIT", "CHAT_STARTS_PER_CONNECTION", "CHAT_CONVERSATIONS_PER_ADDRESS",
    "CHAT_SOCKETS_PER_ADDRESS")}


def lift_chat_limits() -> None:
    """For this process and the stacks it starts: a benchmark sends far more than a customer
    may, every simulated customer from 127.0.0.1 (overrides scripts/env.sh's defaults)."""
    os.environ.update(CHAT_LIMITS_LIFTED)


@dataclass
class Stack:
    gateway_url: str
    rasa_url: str
    env: dict[str, str]


def _reset_caches() -> None:
    from store import db, settings

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@contextmanager
def shop_environment(env: dict[str, str]) -> Iterator[None]:
    """Set `env` in os.environ (settings and engine re-read it) for the duration."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    _reset_caches()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_caches()


@contextmanager
def running_stack(model: Path, state: Path, extra_env: dict[str, str] | None = None,
                  ) -> Iterator[Stack]:
    """Action server, Rasa server and gateway with their state under `state`; stopped after.

    While it runs, os.environ points at the stack's own database, so store.db.session_scope()
    in this process reads and writes what the stack does.
    """
    ports = {name: str(free_port()) for name in ("ACTIONS_PORT", "RASA_PORT", "GATEWAY_PORT")}
    env = {
        **ports,
        "SHOP_VAR_DIR": str(state),
        "DATABASE_URL": f"sqlite:///{state}/shop.db",
        "TRACKER_STORE_DIALECT": "sqlite",
        "TRACKER_STORE_URL": f"sqlite:///{state}/tracker.db",
        "LOCK_STORE_TYPE": "in_memory",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "RASA_URL": f"http://127.0.0.1:{ports['RASA_PORT']}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['ACTIONS_PORT']}/webhook",
        "GATEWAY_CALLBACK_URL": f"http://127.0.0.1:{ports['GATEWAY_PORT']}/rasa/callback",
        "OPENING_HOURS": "00:00-23:59:59",  # always open, so wait estimates are minutes
        **internal_secrets(os.environ),
        **(extra_env or {}),
    }
    with shop_environment(env):
        prepare_database()
        services = stack_services(model, state / "log", env)
        start_all(services, timeout=300)
        try:
            yield Stack(f"http://127.0.0.1:{ports['GATEWAY_PORT']}", env["RASA_URL"], env)
        finally:
            stop_all(services)


def prepare_database() -> tuple[str, str] | None:
    """Migrate the shop database, seed the demo orders, create the first admin.

    Returns the admin's credentials when they were just created (shown once).
    """
    from handoff.auth.accounts import ensure_first_admin
    from store.db import session_scope
    from store.migrate import upgrade_to_head
    from store.orders.seed import seed_demo_orders

    upgrade_to_head()
    with session_scope() as session:
        added = seed_demo_orders(session)
        credentials = ensure_first_admin(session)
    if added:
        print(f"==> seeded {added} demo orders (see docs/demo-orders.md)", file=sys.stderr)
    return credentials


def stack_services(model: Path, log_dir: Path, env: dict[str, str] | None = None) -> list[Service]:
    # Rasa phones home (telemetry, error reports) unless told not to; this stack never does.
    # No access logs: Rasa's token travels in the query string (docs/security.md).
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_REGISTER": "false",
           "SANIC_ACCESS_LOG": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    missing = [name for name in INTERNAL_SECRETS if not env.get(name)]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not set: source scripts/env.sh")
    python = sys.executable
    actions_port, rasa_port, gateway_port = (
        env.get("ACTIONS_PORT", "5055"), env.get("RASA_PORT", "5005"),
        env.get("GATEWAY_PORT", "8000"))
    return [
        Service("action server", [python, "-m", "actions.server", "--port", actions_port],
                f"http://127.0.0.1:{actions_port}/health", log_dir / "actions.log", env=env),
        # /version answers without the token; the server listens once the model is loaded.
        Service("Rasa server",
                [python, "-m", "scripts.rasa_server", "--model", str(model), "--port", rasa_port],
                f"http://127.0.0.1:{rasa_port}/version", log_dir / "rasa.log", env=env),
        Service("gateway",
                # Rasa pins websockets 10, so uvicorn's legacy backend stays: its warning
                # about that would be the one line of the log that is not JSON.
                [str(BIN / "python"), "-W", UVICORN_WS_WARNING, "-m", "uvicorn",
                 "handoff.app:create_app", "--factory", "--host",
                 "127.0.0.1", "--port", gateway_port, "--no-access-log",
                 "--no-proxy-headers",  # the app applies TRUSTED_PROXIES itself
                 "--ws", "websockets"],  # the sans-io backend needs websockets>=13; Rasa pins 10
                f"http://127.0.0.1:{gateway_port}/healthz", log_dir / "gateway.log", env=env),
    ]
