"""Canned replies: shared ones (managed by ops and admins) and each agent's own, in
Indonesian and English, with {agent_name}, {customer_name} and {order_id} filled from the
handoff (handoff.inbox.placeholders).

The starter set in canned_replies.yml is copied into the database when replies are listed and
a starter is not there yet; after that the database is the truth (edited or deleted starters
stay that way: a deleted one keeps its row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi import Path as PathParam
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.auth.deps import MAX_ROW_ID, InboxAgent, SessionDep
from handoff.inbox import assignment, placeholders, schemas
from handoff.inbox.schemas import (
    CannedReplyIn,
    CannedReplyList,
    CannedReplyPatch,
    FilledCannedReplyList,
)
from handoff.texts import supported
from store.models import Agent, CannedReply, utcnow

router = APIRouter(tags=["canned replies"])
CANNED_FILE = Path(__file__).resolve().parent / "canned_replies.yml"
LANGUAGES = ("id", "en")
ReplyId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
LanguageFilter = Annotated[Literal["id", "en"] | None, Query()]


def starter_replies(path: Path = CANNED_FILE) -> list[dict[str, str]]:
    """Every starter reply in every language as flat rows; a missing language or a
    placeholder that cannot be filled is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for reply in data["replies"]:
        for language in LANGUAGES:
            if not reply.get(language, {}).get("text"):
                raise ValueError(f"canned reply {reply['key']!r} has no {language} text")
            text = " ".join(reply[language]["text"].split())
            placeholders.check_template(text)
            rows.append({"key": reply["key"], "language": language,
                         "title": reply[language]["title"], "text": text})
    return rows


def seed_starter_replies(session: Session) -> int:
    """Adds the starter replies the database does not have yet (deleted ones included)."""
    present = set(session.execute(select(CannedReply.key, CannedReply.language)
                                  .where(CannedReply.key.is_not(None))).all())
    added = [CannedReply(**row) for row in starter_replies()
             if (row["key"], row["language"]) not in present]
    if not added:
        return 0
    try:
        with session.begin_nested():
            session.add_all(added)
    except IntegrityError:  # another request or instance seeded them at the same moment
        return 0
    return len(added)


def _editable(reply: CannedReply, agent: Agent) -> bool:
    """Agents manage their own replies; ops and admins also the shared ones."""
    return reply.agent_id == agent.id or (
        reply.agent_id is None and assignment.is_supervisor(agent))


def reply_json(reply: CannedReply, agent: Agent) -> dict:
    return {"id": reply.id, "key": reply.key, "title": reply.title, "language": reply.language,
            "text": reply.text, "shared": reply.agent_id is None,
            "editable": _editable(reply, agent)}


def visible_replies(session: Session, agent: Agent,
                    language: str | None = None) -> list[CannedReply]:
    """Shared replies and the agent's own: shared first, then by language and title."""
    seed_starter_replies(session)  # one small query once they are there
    statement = select(CannedReply).where(
        CannedReply.deleted_at.is_(None),
        CannedReply.agent_id.is_(None) | (CannedReply.agent_id == agent.id))
    if language:
        statement = statement.where(CannedReply.language == language)
    return list(session.execute(statement.order_by(
        CannedReply.agent_id.is_not(None), CannedReply.language, CannedReply.title,
        CannedReply.id)).scalars())


def _editable_reply(session: Session, reply_id: int, agent: Agent) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.deleted_at is not None or (
            reply.agent_id is not None and reply.agent_id != agent.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Canned reply not found")
    if not _editable(reply, agent):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Only ops and admins change shared canned replies")
    return reply


def _checked(text: str) -> str:
    try:
        placeholders.check_template(text)
    except placeholders.UnknownPlaceholder as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
    return text


@router.get("/canned-replies", response_model=CannedReplyList)
def canned_replies(agent: InboxAgent, session: SessionDep,
                   language: LanguageFilter = None) -> dict:
    return {"items": [reply_json(reply, agent)
                      for reply in visible_replies(session, agent, language)]}


@router.post("/canned-replies", response_model=schemas.CannedReply,
             status_code=status.HTTP_201_CREATED)
def add_canned_reply(body: CannedReplyIn, agent: InboxAgent, session: SessionDep) -> dict:
    if body.shared and not assignment.is_supervisor(agent):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Only ops and admins add shared canned replies")
    reply = CannedReply(agent_id=None if body.shared else agent.id, title=body.title,
                        language=body.language, text=_checked(body.text))
    session.add(reply)
    session.flush()
    return reply_json(reply, agent)


@router.patch("/canned-replies/{reply_id}", response_model=schemas.CannedReply)
def change_canned_reply(reply_id: ReplyId, body: CannedReplyPatch, agent: InboxAgent,
                        session: SessionDep) -> dict:
    reply = _editable_reply(session, reply_id, agent)
    for field, value in body.dict(exclude_none=True).items():
        setattr(reply, field, _checked(value) if field == "text" else value)
    reply.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as error:  # a shared reply's key exists in that language already
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "This reply already exists in that language") from error
    return reply_json(reply, agent)


@router.delete("/canned-replies/{reply_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_canned_reply(reply_id: ReplyId, agent: InboxAgent, session: SessionDep) -> Response:
    _editable_reply(session, reply_id, agent).deleted_at = utcnow()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/handoffs/{handoff_id}/canned-replies", response_model=FilledCannedReplyList)
def canned_replies_for(handoff_id: ReplyId, agent: InboxAgent, session: SessionDep) -> dict:
    """The replies in the conversation's language, filled for this handoff. Only the agent
    working it gets the customer's details; anyone else sees what would still be missing."""
    try:
        handoff = assignment.get_handoff(session, handoff_id)
    except assignment.HandoffNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Handoff not found") from error
    values = placeholders.values_for(handoff, agent)
    if not assignment.held_by(handoff, agent):
        values = {"agent_name": agent.display_name}
    items = []
    for reply in visible_replies(session, agent, supported(handoff.conversation.language)):
        lacking = placeholders.missing(reply.text, values)
        text = reply.text if lacking else placeholders.fill(reply.text, values)
        items.append({**reply_json(reply, agent), "text": text, "missing": lacking})
    return {"items": items}
