"""The real stack for end-to-end tests: action server, Rasa server and gateway processes.

Started once per test session by scripts.stack.running_stack (free loopback ports, their own
SQLite databases) and stopped afterwards. The model comes from SHOP_TEST_MODEL (set by
scripts/test) or is trained on demand (cached by data hash).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import CHAT_LIMITS_LIFTED, Stack, running_stack


@pytest.fixture(scope="session")
def stack_extra_env() -> dict[str, str]:
    """More environment for the stack's processes; test folders override it (WhatsApp)."""
    return {}


# One stack per test folder that uses it: its environment (DATABASE_URL, WhatsApp settings…)
# is set in this process while it runs, and must not leak into the folders after it.
@pytest.fixture(scope="package")
def stack(tmp_path_factory, stack_extra_env) -> Iterator[Stack]:
    from scripts.train import ensure_model

    model = Path(os.environ.get("SHOP_TEST_MODEL") or ensure_model())
    with running_stack(model, tmp_path_factory.mktemp("stack"),
                       {**CHAT_LIMITS_LIFTED, **stack_extra_env}) as running:
        yield running
