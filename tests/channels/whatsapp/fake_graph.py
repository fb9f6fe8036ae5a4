"""A local stand-in for Meta's Graph API: records what we send, answers like Meta.

Runs as a real HTTP server (uvicorn in a thread) on a free port, so the gateway under test,
in-process or a separate process, talks to it exactly as it would to graph.facebook.com.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from scripts.processes import free_port


@dataclass
class SentRequest:
    path: str
    authorization: str | None
    body: dict[str, Any]


@dataclass
class FakeGraphApi:
    port: int
    sent: list[SentRequest] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # status codes to answer next, in order
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def reset(self) -> None:
        self.sent.clear()
        self.failures.clear()

    def to(self, wa_id: str) -> list[dict[str, Any]]:
        return [r.body for r in self.sent if r.body.get("to") == wa_id]

    async def wait_for(self, predicate: Any, timeout: float = 60) -> dict[str, Any]:
        """The first sent message body matching predicate, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in list(self.sent):
                if predicate(request.body):
                    return request.body
            await asyncio.sleep(0.1)
        raise AssertionError(f"nothing matching was sent; sent: {[r.body for r in self.sent]}")

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{version}/{phone_number_id}/messages")
        async def messages(version: str, phone_number_id: str, request: Request) -> JSONResponse:
            body = await request.json()
            self.sent.append(SentRequest(request.url.path, request.headers.get("authorization"),
                                         body))
            if self.failures:
                code = self.failures.pop(0)
                return JSONResponse({"error": {"message": "fake failure", "code": code * 10,
                                               "type": "OAuthException"}}, status_code=code)
            return JSONResponse({
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.OUT{next(self._ids)}"}],
            })

        return app


class RunningServer:
    """uvicorn serving one app in a background thread until stop()."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="off",
                                                    ws="none"))  # websockets is pinned to 10
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake Graph API did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_fake_graph() -> tuple[FakeGraphApi, RunningServer]:
    fake = FakeGraphApi(free_port())
    server = RunningServer(fake.app(), fake.port)
    server.start()
    return fake, server
