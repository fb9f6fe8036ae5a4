"""The gateway's periodic sweeps (idle.py, awaiting_reply.py) share one loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def sweep_forever(sweep: Callable[[], Awaitable[object]], seconds: float,
                        what: str) -> None:
    """`sweep()` every `seconds` until cancelled; one failed round never stops the timer."""
    while True:
        try:
            await sweep()
        except Exception:
            logger.exception("%s failed", what)
        await asyncio.sleep(seconds)
