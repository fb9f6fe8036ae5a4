"""The agent inbox: the handoff queue and everything an agent does with one handoff.

Reading routes are plain functions (FastAPI runs them in its thread pool) on the request's
session; the routes that also reach the customer are async and do their database work in
worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from handoff.attachment_files import REFUSAL_STATUS
from handoff.auth.deps import MAX_ROW_ID, InboxAgent, OpsAgent, SessionDep
from handoff.channels import ReplyWindowClosed
from handoff.inbox import assignment, placeholders
from handoff.inbox.schemas import (
    AssignBody,
    HandoffDetailOut,
    HandoffList,
    HandoffStatusFilter,
    InboxView,
)
from handoff.inbox.search import search_handoffs
from handoff.schemas import NO_NUL, MessageOut, NoteOut, TextBody
from handoff.serialize import note_json
from store.attachments import RefusedAttachment, Upload
from store.db import in_session
from store.models import Agent, utcnow

HandoffId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RESOLVED_VIEW = timedelta(hours=24)  # the inbox's Resolved view: what was just done

router = APIRouter(tags=["handoffs"])
HANDOFF_PATH = "/handoffs/{handoff_id}"


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain errors of handoff.inbox.assignment and the gateway as HTTP answers."""
    from handoff.conversations import flow

    try:
        yield
    except (assignment.HandoffNotFound, flow.UnknownHandoff) as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Handoff not found") from error
    except (assignment.Conflict, flow.NotYourHandoff) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error) or "Not your handoff") from error
    except assignment.NotAnAgent as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
    except ReplyWindowClosed as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except placeholders.UnfilledPlaceholder as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error


@router.get("/handoffs", response_model=HandoffList)
def list_handoffs(
    agent: InboxAgent,
    session: SessionDep,
    status_filter: Annotated[HandoffStatusFilter, Query(alias="status")] = "open",
    view: Annotated[InboxView | None, Query(
        description="mine: held by the caller; queue: waiting; resolved: in the last 24 h")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=NO_NUL,
                                   description="customer, order number or text; any state")
                 ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict:
    if q and q.strip():
        handoffs = search_handoffs(session, q, limit=limit)
    elif view == "mine":
        handoffs = assignment.list_handoffs(session, "assigned", limit, agent_id=agent.id)
    elif view == "queue":
        handoffs = assignment.list_handoffs(session, "queued", limit)
    elif view == "resolved":
        handoffs = assignment.list_handoffs(session, "resolved", limit,
                                            resolved_since=utcnow() - RESOLVED_VIEW)
    else:
        handoffs = assignment.list_handoffs(session, status_filter, limit=limit)
    return {"items": [assignment.handoff_view(h, agent, detail=False) for h in handoffs]}


@router.get(HANDOFF_PATH, response_model=HandoffDetailOut)
def get_handoff(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> dict:
    with domain_errors():
        return assignment.handoff_view(assignment.get_handoff(session, handoff_id), agent)


def _view(handoff_id: int, agent: Agent) -> Callable[[Session], dict]:
    return lambda session: assignment.handoff_view(
        assignment.get_handoff(session, handoff_id), agent)


def _held(handoff_id: int, agent: Agent) -> Callable[[Session], str]:
    """The conversation id of a handoff `agent` holds (Conflict otherwise)."""
    return lambda session: assignment.require_held(session, handoff_id, agent).conversation_id


def _filled(handoff_id: int, agent: Agent, text: str) -> Callable[[Session], str]:
    """`text` with {agent_name}, {customer_name}, {order_id} (from a canned reply) filled
    from the handoff `agent` holds; a value the conversation lacks is a 422."""
    def fill(session: Session) -> str:
        handoff = assignment.require_held(session, handoff_id, agent)
        return placeholders.fill(text, placeholders.values_for(handoff, agent))
    return fill


# The routes below wait on the customer's channel as well as the database: they are async,
# and every database step runs in a worker thread (store.db.in_session), committed before
# the gateway tells anyone, so the event loop never waits on a lock.

@router.post(HANDOFF_PATH + "/claim", response_model=HandoffDetailOut)
async def claim(handoff_id: HandoffId, agent: InboxAgent) -> dict:
    with domain_errors():
        conversation_id = await in_session(
            lambda session: assignment.claim_handoff(session, handoff_id, agent))
        if conversation_id:
            await assignment.tell_everyone(conversation_id, "claimed", agent)
        return await in_session(_view(handoff_id, agent))


@router.post(HANDOFF_PATH + "/transfer", response_model=HandoffDetailOut)
async def transfer(handoff_id: HandoffId, agent: InboxAgent) -> dict:
    with domain_errors():
        conversation_id = await in_session(
            lambda session: assignment.transfer_handoff(session, handoff_id, agent))
        await assignment.tell_everyone(conversation_id, "transferred", agent)
        return await in_session(_view(handoff_id, agent))


@router.post(HANDOFF_PATH + "/assign", response_model=HandoffDetailOut)
async def assign(handoff_id: HandoffId, body: AssignBody, agent: OpsAgent) -> dict:
    with domain_errors():
        assigned = await in_session(lambda session: assignment.assign_handoff(
            session, handoff_id, body.agent_id, agent))
        if assigned:
            conversation_id, assignee = assigned
            await assignment.tell_everyone(conversation_id, "claimed", assignee)
        return await in_session(_view(handoff_id, agent))


@router.post(HANDOFF_PATH + "/messages", response_model=MessageOut,
             status_code=status.HTTP_201_CREATED)
async def send_message(handoff_id: HandoffId, body: TextBody, agent: InboxAgent) -> dict:
    from handoff.conversations import flow

    with domain_errors():
        text = await in_session(_filled(handoff_id, agent, body.text))
        return await flow.send_agent_message(handoff_id, agent.id, text)


@router.post(HANDOFF_PATH + "/attachments", response_model=MessageOut,
             status_code=status.HTTP_201_CREATED,
             responses={413: {"description": "Larger than the limit for its kind"},
                        415: {"description": "Not a photo or video we take"}})
async def send_attachment(
    handoff_id: HandoffId, request: Request, agent: InboxAgent,
    file_name: Annotated[str | None, Header(alias="X-File-Name", max_length=600)] = None,
    caption: Annotated[str | None, Header(alias="X-Caption", max_length=12000)] = None,
) -> dict:
    """A photo or short video to the customer: the request body is the file (its type is
    read from the content), `X-File-Name` and `X-Caption` are URI-encoded."""
    from handoff.conversations import flow

    upload = Upload(await request.body(), unquote(file_name) if file_name else None)
    with domain_errors():
        text = await in_session(_filled(handoff_id, agent, unquote(caption))) if caption else ""
        try:
            return await flow.send_agent_message(handoff_id, agent.id, text, upload)
        except RefusedAttachment as error:
            raise HTTPException(REFUSAL_STATUS[error.error], {
                "error": error.error, "detail": error.detail, "limit": error.limit}) from error


@router.post(HANDOFF_PATH + "/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(
    handoff_id: HandoffId, body: TextBody, agent: InboxAgent, session: SessionDep
) -> dict:
    with domain_errors():
        return note_json(assignment.add_note(session, handoff_id, agent, body.text))


@router.post(HANDOFF_PATH + "/typing", status_code=status.HTTP_204_NO_CONTENT)
async def typing(handoff_id: HandoffId, agent: InboxAgent) -> Response:
    from handoff.conversations import flow

    with domain_errors():
        conversation_id = await in_session(_held(handoff_id, agent))
    await flow.agent_typing(conversation_id, agent.display_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(HANDOFF_PATH + "/resolve", response_model=HandoffDetailOut)
async def resolve(handoff_id: HandoffId, agent: InboxAgent) -> dict:
    from handoff.conversations import flow

    with domain_errors():
        await in_session(_held(handoff_id, agent))
        await flow.resolve_handoff(handoff_id, agent.id)
        return await in_session(_view(handoff_id, agent))
