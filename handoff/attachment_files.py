"""Attachment files over HTTP: `GET /attachments/{id}`, for exactly two kinds of caller.

- Staff, with their API token (`Authorization: Bearer`): ops and admins see every
  conversation's files; agents those of conversations that reached the inbox.
- The conversation's own customer, with its widget token (`X-Conversation-Token`), while
  that token still resumes the conversation (RESUME_HOURS).

Anyone else gets 404, the same as for an id that does not exist. Files are sent with their
stored type and nosniff (handoff.web_security), never cached.
"""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, HTTPException, Path, status
from fastapi.responses import Response
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from handoff.auth.credentials import AuthError, valid_token
from handoff.auth.deps import BearerDep, bearer_token
from handoff.conversations import flow
from store.attachment_storage import MissingFile, attachment_storage
from store.db import session_scope
from store.models import Attachment, Handoff, Role

router = APIRouter(tags=["attachments"])

# How an upload refused by store.attachments is answered.
REFUSAL_STATUS = {"too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                  "unsupported_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                  "empty": status.HTTP_400_BAD_REQUEST}


def _staff_may_see(session: Session, token: str, conversation_id: str) -> bool:
    try:
        agent = valid_token(session, token).agent
    except AuthError:
        return False
    if agent.role in (Role.ops, Role.admin):
        return True
    return bool(session.execute(select(exists().where(
        Handoff.conversation_id == conversation_id))).scalar())


def _file_for(attachment_id: str, staff_token: str | None,
              customer_token: str | None) -> tuple[bytes, str, str | None]:
    """(bytes, content type, name) when the caller may see the file; LookupError if not."""
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise LookupError(attachment_id)
        conversation_id = attachment.conversation_id
        key, content_type, name = attachment.storage_key, attachment.content_type, attachment.name
        staff_may = bool(staff_token) and _staff_may_see(session, staff_token, conversation_id)
    customer_may = not staff_may and bool(customer_token) and flow.resumable(
        conversation_id, customer_token or "") == "stored"
    if not (staff_may or customer_may):
        raise LookupError(attachment_id)
    return attachment_storage().get(key), content_type, name


@router.get("/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "video/mp4": {}}},
                       404: {"description": "No such file, or not yours to see"}})
async def attachment_file(
    attachment_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    credentials: BearerDep,
    customer_token: Annotated[str | None, Header(alias="X-Conversation-Token",
                                                 max_length=64)] = None,
) -> Response:
    """The photo or video, for staff with access or the conversation's own customer."""
    try:
        data, content_type, name = await asyncio.to_thread(
            _file_for, attachment_id, bearer_token(credentials), customer_token)
    except (LookupError, MissingFile) as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Attachment not found") from error
    disposition = "inline" + (f"; filename*=UTF-8''{quote(name)}" if name else "")
    return Response(data, media_type=content_type,
                    headers={"Content-Disposition": disposition})


__all__ = ["REFUSAL_STATUS", "router"]
