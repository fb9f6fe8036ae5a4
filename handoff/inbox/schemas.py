"""Request and response models of the inbox API (inbox/handoffs.py, inbox/canned.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, conint, constr

from handoff.auth.deps import MAX_ROW_ID
from handoff.schemas import NO_NUL, AgentOut, MessageText, NoteOut, OutModel

HandoffStatusFilter = Literal["queued", "assigned", "resolved", "open"]
InboxView = Literal["mine", "queue", "resolved"]


class AssignBody(BaseModel):
    agent_id: conint(ge=1, le=MAX_ROW_ID)


class LastMessage(OutModel):
    sender: str
    text: str
    attachment_kind: Literal["image", "video"] | None = None
    created_at: datetime

class FollowUpOut(OutModel):
    via: Literal["email", "whatsapp"]
    address: str

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
    follow_up: FollowUpOut | None = None

class HandoffDetailOut(HandoffSummaryOut):
    context: dict[str, Any]
    notes: list[NoteOut]

class HandoffList(OutModel):
    items: list[HandoffSummaryOut]

CannedTitle = constr(strip_whitespace=True, min_length=1, max_length=80, regex=NO_NUL)

class CannedReplyIn(BaseModel):
    """A new canned reply: the agent's own, or `shared` with everyone (ops and admins)."""

    title: CannedTitle
    language: Literal["id", "en"]
    text: MessageText
    shared: bool = False

class CannedReplyPatch(BaseModel):
    title: CannedTitle | None = None
    language: Literal["id", "en"] | None = None
    text: MessageText | None = None

class CannedReply(OutModel):
    id: int
    key: str | None
    title: str
    language: Literal["id", "en"]
    text: str
    shared: bool
    editable: bool

class CannedReplyList(OutModel):
    items: list[CannedReply]

class TeamMember(AgentOut):
    online: bool

class TeamList(OutModel):
    items: list[TeamMember]

class FilledCannedReply(CannedReply):
    """`text` with the handoff's values filled in; `missing` names what it still needs."""

    missing: list[str]

class FilledCannedReplyList(OutModel):
    items: list[FilledCannedReply]
