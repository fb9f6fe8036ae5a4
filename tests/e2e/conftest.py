"""The real stack for end-to-end tests: action server, Rasa server and gateway processes.

Started once per test session on free loopback ports with their own SQLite databases, and
stopped afterwards. The model comes from SHOP_TEST_MODEL (set by scripts/test) or is
trained on demand (cached by data hash).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets

from scripts.processes import start_all, stop_all
from scripts.stack import stack_services
from tests.environment import shop_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    gateway_url: str
    rasa_url: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def stack_extra_env() -> dict[str, str]:
    """More environment for the stack's processes; test folders override it (tests/whatsapp)."""
    return {}


@pytest.fixture(scope="session")
def stack(tmp_path_factory, stack_extra_env) -> Iterator[Stack]:
    from scripts.train import ensure_model

    model = Path(os.environ.get("SHOP_TEST_MODEL") or ensure_model())
    state = tmp_path_factory.mktemp("stack")
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
        **stack_extra_env,
    }
    with shop_environment(env):
        from scripts.stack import prepare_database

        prepare_database()
        services = stack_services(model, state / "log", env)
        start_all(services, timeout=300)
        try:
            yield Stack(f"http://127.0.0.1:{ports['GATEWAY_PORT']}", env["RASA_URL"], env)
        finally:
            stop_all(services)


class Widget:
    """A website chat client speaking docs/widget-protocol.md."""

    def __init__(self, ws: websockets.WebSocketClientProtocol) -> None:
        self.ws = ws
        self.frames: list[dict] = []
        self.conversation_id = ""
        self.token = ""

    @classmethod
    async def open(cls, gateway_url: str, locale: str = "id-ID") -> Widget:
        ws = await websockets.connect(gateway_url.replace("http", "ws") + "/ws/chat")
        widget = cls(ws)
        await widget.send_frame({"type": "start", "locale": locale})
        first = await widget.next_frame("conversation")
        widget.conversation_id, widget.token = first["conversation_id"], first["token"]
        return widget

    @classmethod
    async def resume(cls, gateway_url: str, conversation_id: str, token: str,
                     after_seq: int = 0) -> Widget:
        """Another connection to an existing conversation (a reload, another instance)."""
        ws = await websockets.connect(gateway_url.replace("http", "ws") + "/ws/chat")
        widget = cls(ws)
        widget.conversation_id, widget.token = conversation_id, token
        await widget.send_frame({"type": "resume", "conversation_id": conversation_id,
                                 "token": token, "after_seq": after_seq})
        await widget.next_frame("conversation")
        return widget

    async def send_frame(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def say(self, text: str) -> None:
        await self.send_frame({"type": "message", "text": text,
                               "client_message_id": uuid.uuid4().hex})

    async def click(self, title: str, payload: str) -> None:
        await self.send_frame({"type": "button", "title": title, "payload": payload,
                               "client_message_id": uuid.uuid4().hex})

    async def next_frame(self, kind: str, timeout: float = 60, **match: str) -> dict:
        async def wait() -> dict:
            while True:
                frame = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                    return frame
        return await asyncio.wait_for(wait(), timeout)

    async def bot_says(self, timeout: float = 60) -> dict:
        return await self.next_frame("message", timeout, sender="bot")

    async def close(self) -> None:
        await self.ws.close()
