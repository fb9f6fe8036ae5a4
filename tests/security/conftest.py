"""The API fixtures of tests/handoff (migrated database on SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set; a TestClient; agents with tokens), reused as they are; the real
stack of tests/e2e (action server, Rasa, gateway as scripts/stack.py starts them) for the
attacks on the internal doors; and the machine's address as another machine sees it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from scripts.stack import Stack
from tests.e2e.conftest import stack, stack_extra_env  # noqa: F401 (fixtures)
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


@pytest.fixture(scope="session")
def outward_address() -> str:
    """This machine's non-loopback IPv4 address (where another machine would connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: picks the outgoing interface, sends nothing
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


def log_of(running: Stack, service: str) -> str:
    """The log of one of the stack's processes: actions, rasa or gateway."""
    return (Path(running.env["SHOP_VAR_DIR"]) / "log" / f"{service}.log").read_text(
        errors="replace")
