"""What the JSON API's features share: limits, the agent message body, and the response
models of agents, messages and notes. Each feature keeps its own models beside its routes
(auth/schemas.py, inbox/schemas.py, ops/schemas.py).

Response models allow extra keys so the serializers in handoff.serialize stay the single
source of the JSON shapes; the models document and check the fields every client relies on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Extra, constr

MAX_MESSAGE_CHARS = 4000
MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; this only bounds the work per request

# PostgreSQL text cannot hold NUL characters: refused with a 422, not a database error.
NO_NUL = r"^[^\x00]*$"
MessageText = constr(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS,
                     regex=NO_NUL)


# Requests ---------------------------------------------------------------------------------


class TextBody(BaseModel):
    """Agent message or internal note: 1–4000 characters after trimming."""

    text: MessageText


# Responses --------------------------------------------------------------------------------

class OutModel(BaseModel):
    class Config:
        extra = Extra.allow


class AgentOut(OutModel):
    id: int
    username: str
    display_name: str
    role: Literal["agent", "ops", "admin"]


class MessageAgent(OutModel):
    id: int
    display_name: str


class AttachmentOut(OutModel):
    id: str
    kind: Literal["image", "video"]
    content_type: str
    size: int
    name: str | None = None
    url: str  # GET it with the same Authorization header (handoff.attachment_files)


class MessageOut(OutModel):
    id: int
    conversation_id: str
    seq: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    buttons: list[dict[str, Any]] | None = None
    agent: MessageAgent | None = None
    created_at: datetime
    delivery_status: str | None = None
    delivery_error: str | None = None
    attachment: AttachmentOut | None = None


class NoteOut(OutModel):
    id: int
    text: str
    agent: AgentOut
    created_at: datetime


# Accounts and audit (admin) ---------------------------------------------------------------


