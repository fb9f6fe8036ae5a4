"""The Graph API client that sends WhatsApp messages (POST /{phone-number-id}/messages).

Meta answers 429 when we send too fast and 5xx when it has trouble; both are worth a few
retries with exponential backoff. Anything else (bad number, closed 24-hour window, bad
token) will not get better by retrying and is reported at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from store.settings import WhatsAppSettings, get_settings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5  # 0.5 s, 1 s, 2 s between the four attempts
MAX_RETRY_AFTER_SECONDS = 10.0
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class WhatsAppSendError(Exception):
    """Meta did not accept the message; the text says why (shown to the agent)."""


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _error_detail(response: httpx.Response) -> str:
    """Meta's error as a person can read it: 'HTTP 400 (#131047) Re-engagement message'."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict) or not error:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    code = error.get("code")
    text = error.get("message") or error.get("title") or "error"
    details = (error.get("error_data") or {}).get("details") if isinstance(
        error.get("error_data"), dict) else None
    return f"HTTP {response.status_code} (#{code}) {text}" + (f": {details}" if details else "")


def _delay(attempt: int, response: httpx.Response | None) -> float:
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after and retry_after.isdigit():
        return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
    return BACKOFF_SECONDS * 2 ** (attempt - 1)


async def send_message(payload: dict[str, Any], settings: WhatsAppSettings | None = None) -> str:
    """Send one message object; returns the wamid Meta assigned to it."""
    settings = settings or get_settings().whatsapp
    headers = {"Authorization": f"Bearer {settings.access_token}"}
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
    problem = "not sent"
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response: httpx.Response | None = None
            try:
                response = await client.post(settings.messages_url, json=body, headers=headers)
            except httpx.HTTPError as error:
                problem = f"Graph API unreachable: {error!r}"
            else:
                if response.status_code < 300:
                    return _wamid(response)
                problem = _error_detail(response)
                if not _retryable(response):
                    raise WhatsAppSendError(problem)
            if attempt < MAX_ATTEMPTS:
                logger.warning("WhatsApp send attempt %s failed (%s); retrying", attempt, problem)
                await asyncio.sleep(_delay(attempt, response))
    raise WhatsAppSendError(f"{problem} (after {MAX_ATTEMPTS} attempts)")


def _wamid(response: httpx.Response) -> str:
    try:
        return str(response.json()["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise WhatsAppSendError(f"Unexpected Graph API answer: {response.text[:200]}") from error
