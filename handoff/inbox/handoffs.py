"""The agent inbox: the handoff queue and everything an agent does with one handoff.

Before calling the gateway (which opens its own database session) the request session is
committed, so the gateway sees this request's changes and SQLite is not left waiting on us.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from handoff.auth.deps import MAX_ROW_ID, InboxAgent, SessionDep
from handoff.channels import ReplyWindowClosed
from handoff.inbox import assignment, placeholders
from handoff.inbox.schemas import HandoffDetailOut, HandoffList, HandoffStatusFilter
from handoff.schemas import MessageOut, NoteOut, TextBody
from handoff.serialize import note_json

HandoffId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

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
    except ReplyWindowClosed as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except placeholders.UnfilledPlaceholder as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error


@router.get("/handoffs", response_model=HandoffList)
def list_handoffs(
    agent: InboxAgent,
    session: SessionDep,
    status_filter: Annotated[HandoffStatusFilter, Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict:
    handoffs = assignment.list_handoffs(session, status_filter, limit=limit)
    return {"items": [assignment.handoff_view(h, agent, detail=False) for h in handoffs]}


@router.get(HANDOFF_PATH, response_model=HandoffDetailOut)
def get_handoff(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> dict:
    with domain_errors():
        return assignment.handoff_view(assignment.get_handoff(session, handoff_id), agent)


@router.post(HANDOFF_PATH + "/claim", response_model=HandoffDetailOut)
async def claim(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> dict:
    with domain_errors():
        handoff = await assignment.claim_handoff(session, handoff_id, agent)
    return assignment.handoff_view(handoff, agent)


@router.post(HANDOFF_PATH + "/transfer", response_model=HandoffDetailOut)
async def transfer(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> dict:
    with domain_errors():
        handoff = await assignment.transfer_handoff(session, handoff_id, agent)
    return assignment.handoff_view(handoff, agent)


@router.post(HANDOFF_PATH + "/messages", response_model=MessageOut,
             status_code=status.HTTP_201_CREATED)
async def send_message(
    handoff_id: HandoffId, body: TextBody, agent: InboxAgent, session: SessionDep
) -> dict:
    from handoff.conversations import flow

    with domain_errors():
        handoff = assignment.require_held(session, handoff_id, agent)
        # {agent_name}, {customer_name}, {order_id} from a canned reply: filled, or a 422.
        text = placeholders.fill(body.text, placeholders.values_for(handoff, agent))
        session.commit()
        return await flow.send_agent_message(handoff_id, agent.id, text)


@router.post(HANDOFF_PATH + "/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(
    handoff_id: HandoffId, body: TextBody, agent: InboxAgent, session: SessionDep
) -> dict:
    with domain_errors():
        return note_json(assignment.add_note(session, handoff_id, agent, body.text))


@router.post(HANDOFF_PATH + "/typing", status_code=status.HTTP_204_NO_CONTENT)
async def typing(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> Response:
    from handoff.conversations import flow

    with domain_errors():
        handoff = assignment.require_held(session, handoff_id, agent)
    conversation_id = handoff.conversation_id
    session.commit()
    await flow.agent_typing(conversation_id, agent.display_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(HANDOFF_PATH + "/resolve", response_model=HandoffDetailOut)
async def resolve(handoff_id: HandoffId, agent: InboxAgent, session: SessionDep) -> dict:
    from handoff.conversations import flow

    with domain_errors():
        assignment.require_held(session, handoff_id, agent)
        session.commit()
        await flow.resolve_handoff(handoff_id, agent.id)
        return assignment.handoff_view(assignment.get_handoff(session, handoff_id), agent)
