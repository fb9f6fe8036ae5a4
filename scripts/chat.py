"""Chat with the assistant from the terminal, through the gateway like the website widget.

Messages are stored and show up in the agent inbox; agent replies appear here live.
Bot buttons are listed with numbers: type the number to click one.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import websockets

PROMPT = "you> "


def _wait(frame: dict) -> str:
    """The gateway's one estimate (store/waits.py), as the widget shows it."""
    if frame.get("back_at_label"):
        return f"the team is back at {frame['back_at_label']}"
    if frame.get("wait_minutes"):
        return f"about {frame['wait_minutes']} min"
    return "nobody is online yet"


def _show(frame: dict, buttons: list[dict]) -> None:
    kind = frame.get("type")
    if kind == "message" and frame.get("sender") != "customer":
        who = frame.get("agent_name") or frame["sender"]
        print(f"\r{who}> {frame['text']}")
        buttons[:] = frame.get("buttons") or []
        for number, button in enumerate(buttons, start=1):
            print(f"      [{number}] {button['title']}")
    elif kind == "state":
        if frame["state"] == "queued":
            print(f"\r   (waiting for a person: {_wait(frame)})")
        elif frame["state"] == "assigned":
            print(f"\r   ({frame.get('agent_name')} joined)")
        elif frame["state"] == "closed":
            print("\r   (chat closed: type again to start a new one)")
    elif kind == "typing":
        print(f"\r   ({frame.get('agent_name')} is typing…)")
    elif kind == "error":
        print(f"\r   (not sent: {frame.get('detail')})")
    else:
        return
    print(PROMPT, end="", flush=True)


async def _receive(ws: websockets.WebSocketClientProtocol, buttons: list[dict]) -> None:
    async for raw in ws:
        _show(json.loads(raw), buttons)


async def chat(url: str) -> None:
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "start", "locale": os.environ.get("LANG", "")}))
        buttons: list[dict] = []
        receiver = asyncio.create_task(_receive(ws, buttons))
        print("Chat with the assistant in Indonesian or English. Ctrl-D to leave the chat.")
        print(PROMPT, end="", flush=True)
        while True:
            try:
                text = (await asyncio.to_thread(input)).strip()
            except EOFError:
                break
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                button = buttons[int(text) - 1]
                frame = {"type": "button", **button}
            elif text:
                frame = {"type": "message", "text": text}
            else:
                print(PROMPT, end="", flush=True)
                continue
            await ws.send(json.dumps({**frame, "client_message_id": uuid.uuid4().hex}))
        receiver.cancel()


def main() -> None:
    port = os.environ.get("GATEWAY_PORT", "8000")
    try:
        asyncio.run(chat(f"ws://127.0.0.1:{port}/ws/chat"))
    except KeyboardInterrupt:
        pass
    print("\n(chat closed; the stack keeps running until Ctrl-C)")


if __name__ == "__main__":
    main()
