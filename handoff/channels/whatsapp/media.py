"""Photos and videos between WhatsApp and the transcript.

In: a customer's image, video, or a document that is really a photo or video, fetched from
Meta (the webhook only names a media id) and checked before store.attachments keeps it.
Out: a stored attachment as a file WhatsApp shows. WhatsApp shows JPEG/PNG (≤ 5 MB) as
photos and MP4/3GPP (≤ 16 MB) as videos; anything else we keep (WebP, MOV, WebM, bigger
files) goes as JPEG or as a document, so the customer always gets the file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any

from PIL import Image

from handoff.channels.whatsapp import graph_api
from store.attachment_storage import MissingFile
from store.attachments import Upload, read_attachment
from store.db import session_scope
from store.media import by_content_type
from store.models import Attachment
from store.settings import get_settings

logger = logging.getLogger(__name__)

MEDIA_KINDS = ("image", "video", "document")  # webhook types that may carry a photo or video
CAPTION_LIMIT = 1024
IMAGE_LIMIT = 5 * 1024 * 1024
VIDEO_LIMIT = 16 * 1024 * 1024
WHATSAPP_IMAGES = {"image/jpeg", "image/png"}
WHATSAPP_VIDEOS = {"video/mp4", "video/3gpp"}
_3GPP = "video/3gpp"  # phones' older video format; store.media reads it as MP4


@dataclass(frozen=True)
class InboundMedia:
    """What the webhook says about a customer's file."""

    media_id: str
    mime_type: str
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None


class MediaRefused(Exception):
    """A customer's file we do not keep: `error` is not_downloaded, too_large or
    unsupported_type (the customer is told which); `limit` in bytes for too_large."""

    def __init__(self, error: str, detail: str, limit: int | None = None) -> None:
        super().__init__(detail)
        self.error, self.limit = error, limit


def inbound_media(kind: str, content: dict[str, Any]) -> InboundMedia | None:
    """The file of an image/video/document message, None without a usable media id."""
    media_id = content.get("id")
    if kind not in MEDIA_KINDS or not isinstance(media_id, str) or not media_id:
        return None

    def text(key: str) -> str | None:
        value = content.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return InboundMedia(media_id, (text("mime_type") or "").lower(), text("sha256"),
                        text("caption"), text("filename"))


def _kind(mime_type: str) -> str | None:
    """image or video for the types we keep, else None (PDFs, audio, …)."""
    base = mime_type.split(";")[0].strip()
    media = by_content_type(base)
    if media:
        return media.kind
    return "video" if base == _3GPP else None


def _hash_matches(data: bytes, expected: str) -> bool:
    """Meta gives SHA-256 as hex (media lookup) or base64 (webhooks)."""
    digest = hashlib.sha256(data).digest()
    return expected.lower() == digest.hex() or expected == base64.b64encode(digest).decode()


async def fetch(media: InboundMedia) -> Upload:
    """The customer's file, downloaded and checked (type, size before and after, hash);
    MediaRefused otherwise. store.attachments still reads the content before keeping it."""
    kind = _kind(media.mime_type)
    if kind is None:
        raise MediaRefused("unsupported_type", f"{media.mime_type or 'no type'} is not kept")
    limit = get_settings().attachments.max_bytes(kind)
    try:
        info = await graph_api.media_info(media.media_id)
        if info.file_size and info.file_size > limit:
            raise graph_api.MediaTooLarge(f"{info.file_size} bytes, {limit} allowed")
        data = await graph_api.download_media(info.url, limit)
    except graph_api.MediaTooLarge as error:
        raise MediaRefused("too_large", str(error), limit) from error
    except graph_api.MediaUnavailable as error:
        logger.warning("WhatsApp media %s not downloaded: %s", media.media_id, error)
        raise MediaRefused("not_downloaded", str(error)) from error
    for expected in filter(None, (media.sha256, info.sha256)):
        if not _hash_matches(data, expected):
            logger.warning("WhatsApp media %s does not match its SHA-256", media.media_id)
            raise MediaRefused("not_downloaded", "SHA-256 mismatch")
    return Upload(data, media.filename)


# --- out: a stored attachment as a file WhatsApp shows ----------------------------------------

@dataclass(frozen=True)
class OutgoingFile:
    data: bytes
    content_type: str
    whatsapp_type: str  # image | video | document
    filename: str


def outgoing_file(attachment_id: str) -> OutgoingFile:
    """The stored file as WhatsApp should get it (reads storage; call in a thread).
    WhatsAppSendError when it cannot be: the message is then recorded as failed."""
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id)
        try:
            data = read_attachment(attachment) if attachment else None
        except MissingFile:
            data = None
        if attachment is None or data is None:
            raise graph_api.WhatsAppSendError("The attachment's file no longer exists")
        content_type = attachment.content_type
        name = attachment.name or f"{attachment.kind}.{content_type.rsplit('/', 1)[-1]}"
    try:
        return for_whatsapp(data, content_type, name)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise graph_api.WhatsAppSendError(f"The photo could not be converted: {error}") from error


def for_whatsapp(data: bytes, content_type: str, name: str) -> OutgoingFile:
    """Photos other than JPEG/PNG (WebP) or over 5 MB become JPEG; files WhatsApp will not
    show as photo or video (MOV, WebM, still too large) go as a document."""
    if content_type.startswith("image/") and (
            content_type not in WHATSAPP_IMAGES or len(data) > IMAGE_LIMIT):
        data, content_type = _as_jpeg(data), "image/jpeg"
        name = name.rsplit(".", 1)[0] + ".jpg"
    if content_type in WHATSAPP_IMAGES and len(data) <= IMAGE_LIMIT:
        return OutgoingFile(data, content_type, "image", name)
    if content_type in WHATSAPP_VIDEOS and len(data) <= VIDEO_LIMIT:
        return OutgoingFile(data, content_type, "video", name)
    return OutgoingFile(data, content_type, "document", name)


def _as_jpeg(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85, exif=image.getexif().tobytes())
        return out.getvalue()


def media_message(to: str, file: OutgoingFile, media_id: str,
                  caption: str | None) -> dict[str, Any]:
    """The Graph API message object showing an uploaded file (a caption ≤ 1024 characters)."""
    content: dict[str, Any] = {"id": media_id}
    if caption:
        content["caption"] = caption
    if file.whatsapp_type == "document":
        content["filename"] = file.filename
    return {"to": to, "type": file.whatsapp_type, file.whatsapp_type: content}


__all__ = ["CAPTION_LIMIT", "InboundMedia", "MediaRefused", "OutgoingFile", "fetch",
           "for_whatsapp", "inbound_media", "media_message", "outgoing_file"]
