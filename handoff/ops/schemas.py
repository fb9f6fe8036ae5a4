"""Response models of the ops API: transcripts (ops/transcripts.py), metrics (ops/dashboard.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from handoff.inbox.schemas import HandoffDetailOut
from handoff.schemas import AgentOut, MessageOut, OutModel


class ConversationSummary(OutModel):
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

class ConversationList(OutModel):
    items: list[ConversationSummary]
    total: int

class SurveyOut(OutModel):
    score: int | None
    comment: str | None
    declined: bool
    trigger: str
    asked_at: datetime
    answered_at: datetime | None
    agent_id: int | None

class PreviousConversation(OutModel):
    id: str
    channel: str
    created_at: datetime
    closed_at: datetime | None
    summary: str | None

class ConversationDetail(OutModel):
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

class DayCount(OutModel):
    date: date
    count: int

class ConversationCounts(OutModel):
    total: int
    by_day: list[DayCount]
    by_channel: dict[str, int]

class Containment(OutModel):
    closed: int
    without_human: int
    rate: float | None

class BotResolutions(OutModel):
    confirmed: int
    assumed: int

class ReasonCount(OutModel):
    reason: str
    count: int
    rate: float | None

class HandoffCounts(OutModel):
    total: int
    rate: float | None
    by_reason: list[ReasonCount]

class CesGroup(OutModel):
    answers: int
    mean: float | None

class CesReason(CesGroup):
    reason: str

class CesMetrics(OutModel):
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

class Durations(OutModel):
    n: int
    p50_seconds: float | None
    p90_seconds: float | None

class WaitPromises(OutModel):
    n: int
    no_time_promised: int
    not_answered_yet: int
    error_p50_seconds: float | None
    error_p90_seconds: float | None
    under_promised: int
    under_promised_share: float | None

class Reopened(OutModel):
    closed: int
    reopened: int
    rate: float | None

class MetricsOut(OutModel):
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
    wait_promises: WaitPromises
    reopened_within_24h: Reopened

    class Config:
        allow_population_by_field_name = True
