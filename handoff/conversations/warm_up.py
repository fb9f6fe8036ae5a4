"""Warm start: the gateway reports ready (/healthz) only once the bot behind it answered.

At start each gateway checks its database and has Rasa, through RASA_URL (the load
balancer), parse a first message. Until both answered, /healthz says 503 "warming up", so
the start script and readiness probes wait, and no customer is the first to wake Rasa.
Rasa servers themselves open their port only once warm (scripts/rasa_server.py). A gateway
whose Rasa stays away longer than WARM_UP_SECONDS reports ready anyway: it can still take
messages, apologise and queue customers for a person, and that beats turning them away.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import text

from handoff.conversations import rasa_client
from store.db import get_engine

logger = logging.getLogger(__name__)
WARM_UP_SECONDS = 120.0
RETRY_SECONDS = 1.0
FIRST_MESSAGE = "halo kak"


class WarmUp:
    ready = False

    async def run(self, deadline_seconds: float = WARM_UP_SECONDS) -> None:
        started = time.monotonic()
        while True:
            try:
                await asyncio.to_thread(database_answers)
                await rasa_client.parse(FIRST_MESSAGE)
                logger.info("warm: database and Rasa answered in %.1f s",
                            time.monotonic() - started)
                break
            except Exception as error:  # not up yet: Rasa loading, the database starting
                if time.monotonic() - started >= deadline_seconds:
                    logger.warning("not warm after %.0f s (%s); serving anyway",
                                   deadline_seconds, type(error).__name__)
                    break
            await asyncio.sleep(RETRY_SECONDS)
        self.ready = True


def database_answers() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
