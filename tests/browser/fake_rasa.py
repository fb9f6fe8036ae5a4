"""A stand-in for the Rasa server in browser tests: answers every message through the
gateway's callback URL, signed, the way Rasa's gateway channel does.

Only the two calls the gateway makes are served; the real Rasa end-to-end test lives
elsewhere.
"""

from __future__ import annotations

import json
import os

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nlu.callback_signature import signed_headers

GREETING = "Halo! Saya asisten Toko Nusa. Ada yang bisa saya bantu?"
MENU = [
    {"title": "Cek pesanan", "payload": "/check_order_status"},
    {"title": "Bicara dengan petugas", "payload": "/request_human"},
]
THANKS = "Baik Kak, silakan kirim nomor pesanannya (contoh: TN-10001)."


def reply_to(message: str) -> dict | None:
    """A button payload gets a follow-up question; anything typed gets the greeting menu.
    Asking for a person gets nothing here: the test plays the escalation action's part."""
    if message == "/request_human":
        return None
    if message.startswith("/"):
        return {"text": THANKS}
    return {"text": GREETING, "buttons": MENU}


def signed(reply: dict) -> dict:
    """httpx arguments posting `reply` to the callback signed, as Rasa's gateway channel does."""
    content = json.dumps(reply).encode()
    return {"content": content, "headers": {
        "Content-Type": "application/json",
        **signed_headers(os.environ["CALLBACK_SECRET"], content)}}


async def webhook(request: Request) -> JSONResponse:
    body = await request.json()
    said = reply_to(body.get("message") or "")
    if said is not None:
        reply = {"recipient_id": body["sender"], **said}
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(os.environ["GATEWAY_CALLBACK_URL"], **signed(reply))
            response.raise_for_status()
    return JSONResponse({"messages": [], "failed_actions": []})  # nlu.gateway_channel


async def tracker_events(request: Request) -> JSONResponse:
    return JSONResponse({})  # resume + survey trigger after a resolve: accepted, nothing said


app = Starlette(routes=[
    Route("/webhooks/{channel}/webhook", webhook, methods=["POST"]),
    Route("/conversations/{sender}/tracker/events", tracker_events, methods=["POST"]),
    Route("/conversations/{sender}/execute", tracker_events, methods=["POST"]),
])
