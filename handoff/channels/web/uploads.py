"""The website chat's photos and videos: `POST /chat/attachments` (docs/widget-protocol.md).

The widget sends the file as the raw request body (no multipart), with the conversation's
id and token in headers, like the socket's `resume`. A conversation the widget was only
promised (nobody wrote yet) is stored by its first upload, within the same flood limits as
a first message. Refusals come in the customer's language with what to do about them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse

from handoff.attachment_files import REFUSAL_STATUS
from handoff.channels.web.flood import AddressLimits
from handoff.conversations import flow
from handoff.conversations.attachments import customer_attachment
from handoff.texts import customer_text
from store.attachments import RefusedAttachment, Upload

logger = logging.getLogger(__name__)
router = APIRouter()

_SOCKET_ERRORS = ("rate_limited", "unknown_conversation")  # worded as the chat socket's


def _refusal(error: str, language: str | None, http_status: int, **extra: object) -> JSONResponse:
    key = f"web.{error}" if error in _SOCKET_ERRORS else f"web.attachment_{error}"
    values = {"limit_mb": f"{extra['limit'] / 1024 / 1024:.3g}"} if "limit" in extra else {}
    body = {"error": error, "detail": customer_text(key, language, **values), **extra}
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=http_status, headers=headers)


def _language(header: str | None) -> str | None:
    code = (header or "")[:2].lower()
    return code if code in ("id", "en") else None


async def _conversation(conversation_id: str, token: str, language: str | None,
                        limits: AddressLimits, address: str,
                        ) -> tuple[flow.PreparedConversation | None, JSONResponse | None]:
    """(prepared conversation to store with this upload, or None if stored), or a refusal."""
    found = await asyncio.to_thread(flow.resumable, conversation_id, token)
    if found == "refused":
        return None, _refusal("unknown_conversation", language, status.HTTP_404_NOT_FOUND)
    if found == "stored":
        return None, None
    retry_after = limits.conversation_retry_after(address)
    if retry_after:
        return None, _refusal("rate_limited", language, status.HTTP_429_TOO_MANY_REQUESTS,
                              retry_after=retry_after)
    limits.conversation_started(address)
    return flow.PreparedConversation(conversation_id, token, language), None


@router.post("/chat/attachments", status_code=status.HTTP_201_CREATED, tags=["chat"])
async def upload(
    request: Request,
    conversation_id: Annotated[str, Header(alias="X-Conversation-Id", max_length=64)],
    token: Annotated[str, Header(alias="X-Conversation-Token", max_length=64)],
    file_name: Annotated[str | None, Header(alias="X-File-Name", max_length=600)] = None,
    client_message_id: Annotated[str | None, Header(alias="X-Client-Message-Id",
                                                    max_length=64)] = None,
    locale: Annotated[str | None, Header(alias="X-Language", max_length=16)] = None,
) -> JSONResponse:
    """A customer's photo or video: stored, shown in their chat and sent to whoever serves
    them. The body is the file; its type is read from its content."""
    limits: AddressLimits = request.app.state.chat_limits
    address = request.client.host if request.client else "unknown"
    language = _language(locale)
    retry_after = limits.upload_retry_after(address)
    if retry_after:
        return _refusal("rate_limited", language, status.HTTP_429_TOO_MANY_REQUESTS,
                        retry_after=retry_after)
    prepared, refusal = await _conversation(conversation_id, token, language, limits, address)
    if refusal:
        return refusal
    data = await request.body()
    try:
        stored, _new = await customer_attachment(
            conversation_id, Upload(data, unquote(file_name) if file_name else None),
            client_message_id=client_message_id, prepared=prepared)
    except RefusedAttachment as error:
        extra = {"limit": error.limit} if error.limit else {}
        return _refusal(error.error, language, REFUSAL_STATUS[error.error], **extra)
    except flow.UnknownConversation:
        return _refusal("unknown_conversation", language, status.HTTP_404_NOT_FOUND)
    limits.upload_accepted(address)
    return JSONResponse({"message": stored}, status_code=status.HTTP_201_CREATED)


__all__ = ["router"]
