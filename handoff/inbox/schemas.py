"""Response models of the inbox API (inbox/handoffs.py, inbox/canned.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, conint

from handoff.auth.deps import MAX_ROW_ID
from handoff.schemas import AgentOut, NoteOut, OutModel

HandoffStatusFilter = Literal["queued", "assigned", "resolved", "open"]
InboxView = Literal["mine", "queue", "resolved"]


class AssignBody(BaseModel):
    agent_id: conint(ge=1, le=MAX_ROW_ID)


class LastMessage(OutModel):
    sender: str
    text: str
    created_at: datetime

class HandoffSummaryOut(OutModel):
    id: int
    conversation_id: str
    status: Literal["queued", "assigned", "resolved"]
    reason: str
    priority: int
    summary: str
    summaries: list[dict[str, str]]  # [{"language", "summary"}]: the summary per staff language
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

class HandoffList(OutModel):
    items: list[HandoffSummaryOut]

class CannedReply(OutModel):
    id: str
    title: str
    language: Literal["id", "en"]
    text: str

class CannedReplyList(OutModel):
    items: list[CannedReply]

class TeamMember(AgentOut):
    online: bool

class TeamList(OutModel):
    items: list[TeamMember]
