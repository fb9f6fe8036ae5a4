"""The whole stack as processes: action server, Rasa server and the gateway (handoff/)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scripts.processes import BIN, Service


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
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_REGISTER": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    rasa = str(BIN / "rasa")
    actions_port, rasa_port, gateway_port = (
        env.get("ACTIONS_PORT", "5055"), env.get("RASA_PORT", "5005"),
        env.get("GATEWAY_PORT", "8000"))
    return [
        Service("action server",
                [rasa, "run", "actions", "--port", actions_port, "--actions", "actions"],
                f"http://127.0.0.1:{actions_port}/health", log_dir / "actions.log", env=env),
        Service("Rasa server",
                [rasa, "run", "--model", str(model), "--enable-api", "--port", rasa_port,
                 "--interface", "127.0.0.1", "--credentials", "credentials.yml",
                 "--endpoints", "endpoints.yml"],
                f"http://127.0.0.1:{rasa_port}/status", log_dir / "rasa.log", env=env),
        Service("gateway",
                [str(BIN / "uvicorn"), "handoff.app:create_app", "--factory", "--host",
                 "127.0.0.1", "--port", gateway_port, "--no-access-log",
                 "--ws", "websockets"],  # the sans-io backend needs websockets>=13; Rasa pins 10
                f"http://127.0.0.1:{gateway_port}/healthz", log_dir / "gateway.log", env=env),
    ]
