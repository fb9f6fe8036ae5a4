"""Meta's webhook for the WhatsApp channel, `/webhooks/whatsapp` (docs/whatsapp.md).

GET is the subscription handshake. POST is a notification: its signature is checked on
the raw bytes before anything is parsed, and it is answered 200 at once while the work
happens in the background, because Meta retries anything slow or failing.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse

from handoff.channels.whatsapp.inbound import (
    MAX_BODY_BYTES,
    process_notification,
    signature_matches,
)
from handoff.conversations import flow
from store.settings import WHATSAPP_REQUIRED, WhatsAppSettings, get_settings

router = APIRouter(prefix="/webhooks/whatsapp", tags=["whatsapp"])


def _configured() -> WhatsAppSettings:
    settings = get_settings().whatsapp
    if not settings.enabled:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The WhatsApp channel is not "
                            "configured: set " + ", ".join(WHATSAPP_REQUIRED))
    return settings


@router.get("", response_class=PlainTextResponse)
def verify_subscription(
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> str:
    """Meta echoes hub.challenge back only if we know the verify token we gave it."""
    settings = _configured()
    if mode != "subscribe" or not hmac.compare_digest(token.encode(),
                                                      settings.verify_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Verification failed")
    return challenge


async def _read_body(request: Request) -> bytes:
    """The raw body, refused as soon as it is over MAX_BODY_BYTES (declared or streamed)."""
    too_large = HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                              f"Notifications are limited to {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)


@router.post("")
async def receive_notification(
    request: Request,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> dict[str, str]:
    settings = _configured()
    if not signature:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "X-Hub-Signature-256 is missing")
    body = await _read_body(request)
    if not signature_matches(settings.app_secret, body, signature):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "X-Hub-Signature-256 does not match")
    try:
        notification = json.loads(body)
    except ValueError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The body is not JSON") from error
    except RecursionError as error:  # nested deeper than the parser's stack: not Meta's
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The body is nested too deeply") from error
    flow._in_background(process_notification(notification))
    return {"status": "received"}
