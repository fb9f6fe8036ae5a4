"""The handoff service: gateway, agent inbox, ops review and their JSON API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from handoff import gateway, idle, rasa_client
from handoff.channels.web import routes as web_chat
from handoff.channels.whatsapp import outbound as whatsapp_channel
from handoff.channels.whatsapp import routes as whatsapp_webhook
from handoff.live import hub
from handoff.routes import (
    admin,
    auth,
    canned,
    conversations,
    events,
    handoffs,
    metrics,
    pages,
    rasa_callback,
)
from handoff.web_security import BodySizeLimit, SecurityHeaders
from store.db import get_engine

STATIC_DIR = pages.__file__.rsplit("/", 2)[0] + "/static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    whatsapp_channel.register_if_configured()
    await hub.start()  # no-op unless LIVE_FANOUT=redis
    sweeper = asyncio.create_task(idle.run_forever()) if app.state.idle_sweeper else None
    yield
    if sweeper:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
    await gateway.drain_background()
    await hub.stop()  # after the drain: its last events still go out through Redis
    await rasa_client.close_clients()


def create_app(*, idle_sweeper: bool = True) -> FastAPI:
    app = FastAPI(
        title="Toko Nusa handoff service",
        version="1.0.0",
        description="Website chat gateway, agent inbox, ops review and service metrics.",
        lifespan=lifespan,
    )
    app.state.idle_sweeper = idle_sweeper
    for module in (auth, handoffs, conversations, metrics, canned, events, web_chat,
                   rasa_callback, whatsapp_webhook, pages, admin):
        app.include_router(module.router)
    # Added last = outermost: even a 413 from the size limit carries the security headers.
    app.add_middleware(BodySizeLimit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    return app
