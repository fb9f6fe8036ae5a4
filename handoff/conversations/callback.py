"""Where Rasa posts the bot's replies (the `url` of the gateway channel in credentials.yml).

Only Rasa may speak as the bot: a body is stored only when its signature with
CALLBACK_SECRET matches (nlu.callback_signature), checked before it is even parsed.
Anyone else could put a message with a button into any customer's chat. The production
load balancer does not pass this path from its public side at all (scripts/production.py).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, ValidationError

from handoff.conversations import flow
from nlu.callback_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, refusal
from store.settings import get_settings

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


class BotReply(BaseModel):
    recipient_id: str = Field(..., max_length=64)
    text: str | None = Field(None, max_length=20_000)
    buttons: list[dict[str, Any]] | None = None


@router.post("/rasa/callback")
async def rasa_callback(request: Request) -> dict[str, bool]:
    body = await request.body()
    reason = refusal(get_settings().callback_secret, body,
                     request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER))
    if reason:
        client = request.client.host if request.client else "?"
        logger.warning("refused a bot callback from %s: %s", client, reason)
        raise HTTPException(401, "Not a signed callback from Rasa")
    try:
        reply = BotReply.parse_raw(body)
    except ValidationError as error:
        raise HTTPException(422, error.errors()) from error
    if not reply.text and not reply.buttons:
        return {"stored": False}  # images/custom payloads: nothing a customer can read here
    try:
        await flow.bot_message(reply.recipient_id, reply.text or "", reply.buttons)
    except flow.UnknownConversation as error:
        raise HTTPException(404, "Unknown conversation") from error
    return {"stored": True}
