"""A website chat client speaking docs/widget-protocol.md, for the end-to-end tests and the
benchmarks (benchmarks/load_client.py adds reconnects and re-sends for the load run)."""

from __future__ import annotations

import asyncio
import json
import uuid

import websockets


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
