"""A stand-in for the Rasa server in browser tests: answers every message through the
gateway's callback URL, signed, the way Rasa's gateway channel does.

Only the two calls the gateway makes are served; the real Rasa end-to-end test lives
elsewhere. "Talk to a person" runs the real escalation action (actions/escalation.py) and
says what domain.yml says for it, so the browser shows the real handoff message.
"""

from __future__ import annotations

import json
import os

import httpx
from rasa_sdk.executor import CollectingDispatcher
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from actions.escalation import ActionEscalateToHuman
from nlu.callback_signature import signed_headers
from tests.bot_texts import said
from tests.trackers import make_tracker, user_event

GREETING = "Halo! Saya asisten Toko Nusa. Ada yang bisa saya bantu?"
MENU = [
    {"title": "Cek pesanan", "payload": "/check_order_status"},
    {"title": "Bicara dengan petugas", "payload": "/request_human"},
]
THANKS = "Baik Kak, silakan kirim nomor pesanannya (contoh: TN-10001)."


def reply_to(message: str) -> dict:
    """A button payload gets a follow-up question; anything typed gets the greeting menu
    (asking for a person runs the real escalation action: see webhook)."""
    if message.startswith("/"):
        return {"text": THANKS}
    return {"text": GREETING, "buttons": MENU}


def signed(reply: dict) -> dict:
    """httpx arguments posting `reply` to the callback signed, as Rasa's gateway channel does."""
    content = json.dumps(reply).encode()
    return {"content": content, "headers": {
        "Content-Type": "application/json",
        **signed_headers(os.environ["CALLBACK_SECRET"], content)}}


async def escalate(conversation_id: str, language: str) -> list[dict]:
    """What the bot says when it hands over: the real action, the real response texts."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user_event("/request_human", "request_human")],
                           slots={"language": language}, sender_id=conversation_id)
    await ActionEscalateToHuman().run(dispatcher, tracker, {})
    return [{"text": said(message, language)} for message in dispatcher.messages]


async def webhook(request: Request) -> JSONResponse:
    body = await request.json()
    message = body.get("message") or ""
    if message == "/request_human":
        replies = await escalate(body["sender"], (body.get("metadata") or {}).get("locale")
                                 or "id")
    else:
        replies = [reply_to(message)]
    async with httpx.AsyncClient(timeout=10) as client:
        for reply in replies:
            response = await client.post(os.environ["GATEWAY_CALLBACK_URL"],
                                         **signed({"recipient_id": body["sender"], **reply}))
            response.raise_for_status()
    return JSONResponse({"messages": [], "failed_actions": []})  # nlu.gateway_channel


async def tracker_events(request: Request) -> JSONResponse:
    return JSONResponse({})  # resume + survey trigger after a resolve: accepted, nothing said


app = Starlette(routes=[
    Route("/webhooks/{channel}/webhook", webhook, methods=["POST"]),
    Route("/conversations/{sender}/tracker/events", tracker_events, methods=["POST"]),
    Route("/conversations/{sender}/execute", tracker_events, methods=["POST"]),
])
