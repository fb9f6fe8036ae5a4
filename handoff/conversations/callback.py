"""Where Rasa posts the bot's replies (the `url` of the gateway channel in credentials.yml)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from handoff.conversations import flow

router = APIRouter(include_in_schema=False)


class BotReply(BaseModel):
    recipient_id: str = Field(..., max_length=64)
    text: str | None = Field(None, max_length=20_000)
    buttons: list[dict[str, Any]] | None = None


@router.post("/rasa/callback")
async def rasa_callback(reply: BotReply) -> dict[str, bool]:
    if not reply.text and not reply.buttons:
        return {"stored": False}  # images/custom payloads: nothing a customer can read here
    try:
        await flow.bot_message(reply.recipient_id, reply.text or "", reply.buttons)
    except flow.UnknownConversation as error:
        raise HTTPException(404, "Unknown conversation") from error
    return {"stored": True}
