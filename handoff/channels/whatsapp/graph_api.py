"""The Graph API client of the WhatsApp channel: sending messages (POST
/{phone-number-id}/messages), uploading files to send (POST /{phone-number-id}/media) and
fetching the files customers send (GET /{media-id}, then GET on the URL it names).

Meta answers 429 when we call too fast and 5xx when it has trouble; both are worth a few
retries with exponential backoff. Anything else (bad number, closed 24-hour window, bad
token, expired media id) will not get better by retrying and is reported at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from store.settings import WhatsAppSettings, get_settings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5  # 0.5 s, 1 s, 2 s between the four attempts
MAX_RETRY_AFTER_SECONDS = 10.0
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Files take longer than JSON: 30 s without a byte is still a dead connection.
MEDIA_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
_MEDIA_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class GraphApiError(Exception):
    """Meta did not do what we asked; the text says why."""


class WhatsAppSendError(GraphApiError):
    """Meta did not accept the message; the text says why (shown to the agent)."""


class MediaUnavailable(GraphApiError):
    """A customer's file could not be fetched (expired id, Meta's trouble, bad answer)."""


class MediaTooLarge(MediaUnavailable):
    """The file is larger than we keep; found before or while downloading it."""


@dataclass(frozen=True)
class MediaInfo:
    """Meta's answer to GET /{media-id}: where the file is, for five minutes."""

    url: str
    mime_type: str
    sha256: str | None
    file_size: int | None


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _error_detail(response: httpx.Response) -> str:
    """Meta's error as a person can read it: 'HTTP 400 (#131047) Re-engagement message'."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
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


Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _with_retries(call: Call, error: type[GraphApiError], what: str,
                        timeout: httpx.Timeout = TIMEOUT) -> httpx.Response:
    """The first successful response of `call`, retried on 429, 5xx and network trouble;
    `error` with Meta's explanation otherwise."""
    problem = "no answer"
    async with httpx.AsyncClient(timeout=timeout) as client:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response: httpx.Response | None = None
            try:
                response = await call(client)
            except httpx.HTTPError as failure:
                problem = f"Graph API unreachable: {failure!r}"
            else:
                if response.status_code < 300:
                    return response
                problem = _error_detail(response)
                if not _retryable(response):
                    raise error(problem)
            if attempt < MAX_ATTEMPTS:
                logger.warning("WhatsApp %s attempt %s failed (%s); retrying", what, attempt,
                               problem)
                await asyncio.sleep(_delay(attempt, response))
    raise error(f"{problem} (after {MAX_ATTEMPTS} attempts)")


def _bearer(settings: WhatsAppSettings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.access_token}"}


def _json(response: httpx.Response, error: type[GraphApiError]) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise error(f"Unexpected Graph API answer: {response.text[:200]}")
    return body


# --- sending ----------------------------------------------------------------------------------

async def send_message(payload: dict[str, Any], settings: WhatsAppSettings | None = None) -> str:
    """Send one message object; returns the wamid Meta assigned to it."""
    settings = settings or get_settings().whatsapp
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
    response = await _with_retries(
        lambda client: client.post(settings.messages_url, json=body,
                                   headers=_bearer(settings)),
        WhatsAppSendError, "send")
    try:
        return str(_json(response, WhatsAppSendError)["messages"][0]["id"])
    except (KeyError, IndexError, TypeError) as failure:
        raise WhatsAppSendError(
            f"Unexpected Graph API answer: {response.text[:200]}") from failure


async def upload_media(data: bytes, content_type: str, filename: str,
                       settings: WhatsAppSettings | None = None) -> str:
    """Upload a file to send (kept by Meta for 30 days); returns its media id."""
    settings = settings or get_settings().whatsapp
    form = {"messaging_product": "whatsapp", "type": content_type}
    response = await _with_retries(
        lambda client: client.post(settings.media_url, data=form,
                                   files={"file": (filename, data, content_type)},
                                   headers=_bearer(settings)),
        WhatsAppSendError, "media upload", MEDIA_TIMEOUT)
    media_id = _json(response, WhatsAppSendError).get("id")
    if not isinstance(media_id, str) or not media_id:
        raise WhatsAppSendError(f"Unexpected Graph API answer: {response.text[:200]}")
    return media_id


# --- fetching a customer's file ---------------------------------------------------------------

async def media_info(media_id: str, settings: WhatsAppSettings | None = None) -> MediaInfo:
    """Where a customer's file is (GET /{media-id}); MediaUnavailable if Meta won't say."""
    settings = settings or get_settings().whatsapp
    if not _MEDIA_ID.match(media_id):
        raise MediaUnavailable(f"Not a media id: {media_id[:40]!r}")
    response = await _with_retries(
        lambda client: client.get(settings.graph_url(media_id), headers=_bearer(settings),
                                  params={"phone_number_id": settings.phone_number_id}),
        MediaUnavailable, "media lookup")
    body = _json(response, MediaUnavailable)
    url, size = body.get("url"), body.get("file_size")
    if not isinstance(url, str) or not _may_receive_token(url, settings):
        raise MediaUnavailable(f"Unexpected media URL: {str(url)[:120]!r}")
    return MediaInfo(url=url, mime_type=str(body.get("mime_type") or ""),
                     sha256=body.get("sha256") if isinstance(body.get("sha256"), str) else None,
                     file_size=int(size) if str(size).isdigit() else None)


def _may_receive_token(url: str, settings: WhatsAppSettings) -> bool:
    """The download carries our access token: only to HTTPS (Meta's lookaside host) or to the
    configured Graph API's own origin (a local fake in tests)."""
    parts, base = urlsplit(url), urlsplit(settings.api_base_url)
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


async def download_media(url: str, max_bytes: int,
                         settings: WhatsAppSettings | None = None) -> bytes:
    """The file at a media URL (GET with the same Bearer token), at most `max_bytes`:
    MediaTooLarge as soon as it is declared or streamed larger, never held whole."""
    settings = settings or get_settings().whatsapp

    async def fetch(client: httpx.AsyncClient) -> httpx.Response:
        async with client.stream("GET", url, headers=_bearer(settings)) as response:
            if response.status_code >= 300:
                await response.aread()
                return response
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise MediaTooLarge(f"{declared} bytes declared, {max_bytes} allowed")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise MediaTooLarge(f"more than {max_bytes} bytes")
            # Already decoded: no headers, or a Content-Encoding would be applied twice.
            return httpx.Response(response.status_code, content=bytes(body))

    response = await _with_retries(fetch, MediaUnavailable, "media download", MEDIA_TIMEOUT)
    return response.content
