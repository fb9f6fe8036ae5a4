"""Point the shop's settings at a test environment, and put everything back afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from store import db, settings


def _reset_caches() -> None:
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
