"""Request bodies (validated, with limits) and response shapes (for OpenAPI) of the JSON API.

Response models allow extra keys so the serializers in handoff.serialize stay the single
source of the JSON shapes; the models document and check the fields every client relies on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Extra, Field, constr

MAX_MESSAGE_CHARS = 4000
MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; this only bounds the work per request

# PostgreSQL text cannot hold NUL characters: refused with a 422, not a database error.
NO_NUL = r"^[^\x00]*$"
MessageText = constr(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS,
                     regex=NO_NUL)
HandoffStatusFilter = Literal["queued", "assigned", "resolved", "open"]


# Requests ---------------------------------------------------------------------------------

class LoginRequest(BaseModel):
    username: constr(strip_whitespace=True, to_lower=True, min_length=1,
                     max_length=MAX_USERNAME_CHARS, regex=NO_NUL)
    password: constr(min_length=1, max_length=MAX_PASSWORD_CHARS)


class TextBody(BaseModel):
    """Agent message or internal note: 1–4000 characters after trimming."""

    text: MessageText


# Responses --------------------------------------------------------------------------------

class _Out(BaseModel):
    class Config:
        extra = Extra.allow


class AgentOut(_Out):
    id: int
    username: str
    display_name: str
    role: Literal["agent", "ops", "admin"]


class LoginResponse(_Out):
    token: str
    expires_at: datetime
    agent: AgentOut


class MessageAgent(_Out):
    id: int
    display_name: str


class MessageOut(_Out):
    id: int
    conversation_id: str
    seq: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    buttons: list[dict[str, Any]] | None = None
    agent: MessageAgent | None = None
    created_at: datetime
    delivery_status: str | None = None


class NoteOut(_Out):
    id: int
    text: str
    agent: AgentOut
    created_at: datetime


class LastMessage(_Out):
    sender: str
    text: str
    created_at: datetime


class HandoffSummaryOut(_Out):
    id: int
    conversation_id: str
    status: Literal["queued", "assigned", "resolved"]
    reason: str
    priority: int
    summary: str
    channel: str
    language: str | None
    customer: dict[str, Any] | None
    agent: AgentOut | None
    created_at: datetime
    assigned_at: datetime | None
    first_agent_reply_at: datetime | None
    resolved_at: datetime | None
    waiting_seconds: int | None
    last_message: LastMessage | None


class HandoffDetailOut(HandoffSummaryOut):
    context: dict[str, Any]
    notes: list[NoteOut]


class HandoffList(_Out):
    items: list[HandoffSummaryOut]


class CannedReply(_Out):
    id: str
    title: str
    language: Literal["id", "en"]
    text: str


class CannedReplyList(_Out):
    items: list[CannedReply]


class ConversationSummary(_Out):
    id: str
    channel: str
    language: str | None
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    resolved_by: Literal["bot", "human"] | None
    reason: str | None
    agent: AgentOut | None
    ces_score: int | None
    message_count: int
    preview: str | None


class ConversationList(_Out):
    items: list[ConversationSummary]
    total: int


class SurveyOut(_Out):
    score: int | None
    comment: str | None
    declined: bool
    trigger: str
    asked_at: datetime
    answered_at: datetime | None
    agent_id: int | None


class PreviousConversation(_Out):
    id: str
    channel: str
    created_at: datetime
    closed_at: datetime | None
    summary: str | None


class ConversationDetail(_Out):
    id: str
    channel: str
    language: str | None
    owner: Literal["bot", "human"]
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    customer: dict[str, Any] | None
    messages: list[MessageOut]
    handoffs: list[HandoffDetailOut]
    survey: SurveyOut | None
    previous_conversations: list[PreviousConversation]
    redacted: bool


# Metrics ----------------------------------------------------------------------------------

class DayCount(_Out):
    date: date
    count: int


class ConversationCounts(_Out):
    total: int
    by_day: list[DayCount]
    by_channel: dict[str, int]


class Containment(_Out):
    closed: int
    without_human: int
    rate: float | None


class BotResolutions(_Out):
    confirmed: int
    assumed: int


class ReasonCount(_Out):
    reason: str
    count: int
    rate: float | None


class HandoffCounts(_Out):
    total: int
    rate: float | None
    by_reason: list[ReasonCount]


class CesGroup(_Out):
    answers: int
    mean: float | None


class CesReason(CesGroup):
    reason: str


class CesMetrics(_Out):
    surveys_sent: int
    answers: int
    response_rate: float | None
    mean: float | None
    easy_share: float | None
    net_effort: float | None
    distribution: dict[str, int]
    bot_only: CesGroup
    handed_off: CesGroup
    by_reason: list[CesReason]


class Durations(_Out):
    n: int
    p50_seconds: float | None
    p90_seconds: float | None


class Reopened(_Out):
    closed: int
    reopened: int
    rate: float | None


class MetricsOut(_Out):
    from_: date = Field(alias="from")
    to: date
    conversations: ConversationCounts
    containment: Containment
    bot_resolutions: BotResolutions
    handoffs: HandoffCounts
    ces: CesMetrics
    time_to_agent: Durations
    first_agent_response: Durations
    handling_time: Durations
    reopened_within_24h: Reopened

    class Config:
        allow_population_by_field_name = True


# Accounts and audit (admin) ---------------------------------------------------------------

class NewAgentRequest(BaseModel):
    """Checked again by handoff.auth.accounts.create_agent, whose message becomes the 422."""

    username: constr(strip_whitespace=True, to_lower=True, min_length=2,
                     max_length=MAX_USERNAME_CHARS, regex=NO_NUL)
    display_name: constr(strip_whitespace=True, min_length=1, max_length=80, regex=NO_NUL)
    role: Literal["agent", "ops", "admin"] = "agent"
    password: constr(min_length=10, max_length=MAX_PASSWORD_CHARS)


class AgentAccountOut(AgentOut):
    is_active: bool
    last_seen_at: datetime | None


class AgentAccountList(_Out):
    items: list[AgentAccountOut]


class AuditEventOut(_Out):
    id: int
    created_at: datetime
    agent_id: int | None
    username: str | None
    action: str
    target: str | None
    details: dict[str, Any]


class AuditEventList(_Out):
    items: list[AuditEventOut]
    total: int
