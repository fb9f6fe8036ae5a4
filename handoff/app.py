"""The handoff service: gateway, agent inbox, ops review and their JSON API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from handoff import attachment_files, database_busy, pages
from handoff.auth import admin, login
from handoff.channels.web import offline
from handoff.channels.web import routes as web_routes
from handoff.channels.web import uploads as web_uploads
from handoff.channels.web.flood import AddressLimits
from handoff.channels.whatsapp import outbound as whatsapp_outbound
from handoff.channels.whatsapp import routes as whatsapp_routes
from handoff.conversations import awaiting_reply, callback, flow, idle, rasa_client
from handoff.conversations.warm_up import WarmUp, database_answers
from handoff.inbox import canned, events, handoffs, team
from handoff.json_logs import configure_logging
from handoff.live import hub
from handoff.monitoring import exposition
from handoff.ops import dashboard, transcripts
from handoff.pages import STATIC_DIR, SWAGGER_UI_DIR
from handoff.web_security import BodySizeLimit, SecurityHeaders, WidgetCors
from store.settings import get_settings

API_PREFIX = "/api/v1"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    whatsapp_outbound.register_if_configured()  # the web chat needs no registering
    await hub.start()  # no-op unless LIVE_FANOUT=redis
    warming = asyncio.create_task(app.state.warm_up.run())
    # Sweepers: idle sessions (survey, close) and messages whose gateway died mid-turn.
    sweepers = [asyncio.create_task(sweep()) for sweep in (
        idle.run_forever, awaiting_reply.run_forever)] if app.state.idle_sweeper else []
    yield
    for sweeper in [warming, *sweepers]:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
    await flow.drain_background()
    await offline.cancel_pending()  # an idle sweep (any instance) sends them later
    await hub.stop()  # after the drain: its last events still go out through Redis
    await rasa_client.close_clients()


def create_app(*, idle_sweeper: bool = True) -> FastAPI:
    configure_logging(get_settings().log_format)
    app = FastAPI(
        title="Toko Nusa handoff service",
        version="1.0.0",
        description="Website chat gateway, agent inbox, ops review and service metrics.",
        lifespan=lifespan,
        docs_url=None,  # pages.py serves /docs without a CDN or inline script
        redoc_url=None,
    )
    app.state.idle_sweeper = idle_sweeper
    database_busy.install(app)
    settings = get_settings()
    app.state.chat_limits = AddressLimits.from_settings(settings)
    app.state.warm_up = WarmUp()
    # The JSON API of the agent inbox and ops pages (docs/api.md), one router per resource.
    for module in (login, handoffs, transcripts, dashboard, canned, events, admin, team):
        app.include_router(module.router, prefix=API_PREFIX)
    # Where customers and Rasa reach the service: one router per channel, Rasa's callback.
    for module in (web_routes, web_uploads, whatsapp_routes, callback, attachment_files):
        app.include_router(module.router)
    app.include_router(pages.router)
    # Added last = outermost: even a 413 from the size limit carries the security headers.
    app.add_middleware(BodySizeLimit)
    app.add_middleware(WidgetCors)  # outside the size limit: a refusal is readable cross-site
    app.add_middleware(SecurityHeaders)
    # The client's address for flood limits and login throttling: X-Forwarded-For is
    # believed only from TRUSTED_PROXIES (uvicorn runs with --no-proxy-headers).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_UI_DIR), name="docs-assets")

    @app.get("/healthz", tags=["health"], responses={503: {"description": "warming up"}})
    def healthz() -> JSONResponse:
        """Ready: the database answers and the gateway has warmed up (warm_up.py)."""
        database_answers()
        if not app.state.warm_up.ready:
            return JSONResponse({"status": "warming up", "database": "ok"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus; the load balancer's public side answers 404 for it."""
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    return app
