"""Attachments: a photo or short video becomes a row (who may see it follows from its
conversation) and a file in the attachment storage under a random name.

The file is checked and cleaned (store.media) before anything is kept; a file over the
size limit for its kind is refused with the limit, so the sender knows what to do.
Deleting a conversation's attachments removes the files too (privacy, retention).
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from store.attachment_storage import attachment_storage
from store.media import UnsupportedMedia, cleaned, sniff
from store.models import Attachment
from store.settings import get_settings

logger = logging.getLogger(__name__)
NAME_LIMIT = 120


class RefusedAttachment(ValueError):
    """An upload we do not keep: `error` is too_large, unsupported_type or empty."""

    def __init__(self, error: str, detail: str, limit: int | None = None) -> None:
        super().__init__(detail)
        self.error, self.detail, self.limit = error, detail, limit


def _display_name(name: str | None, extension: str) -> str | None:
    """The sender's file name for people to read: no paths, no control characters, and the
    extension of what the file really is."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0][:NAME_LIMIT - 6].strip() if base else ""
    return f"{stem}.{extension}" if stem else None


def checked_upload(data: bytes) -> tuple[bytes, str, str, str]:
    """(bytes to keep, kind, content type, extension) of an upload, or RefusedAttachment."""
    settings = get_settings().attachments
    if not data:
        raise RefusedAttachment("empty", "The file is empty")
    try:
        kind = sniff(data).kind
        if len(data) > settings.max_bytes(kind):
            raise RefusedAttachment(
                "too_large", f"The {kind} is larger than {settings.max_bytes(kind)} bytes",
                settings.max_bytes(kind))
        kept, media = cleaned(data)
    except UnsupportedMedia as error:
        raise RefusedAttachment("unsupported_type", str(error)) from error
    return kept, media.kind, media.content_type, media.extension


@dataclass(frozen=True)
class Upload:
    """A file as it came: its bytes and the name the sender gave it (maybe none)."""

    data: bytes
    name: str | None = None


def save_attachment(session: Session, conversation_id: str, upload: Upload) -> Attachment:
    """Check, clean and store an upload for `conversation_id`; the caller links it to its
    message in the same unit of work. The file is written first: a failed commit leaves an
    unused file, never a row without its file."""
    kept, kind, content_type, extension = checked_upload(upload.data)
    name = upload.name
    attachment_id = secrets.token_hex(16)
    key = f"{secrets.token_hex(16)}.{extension}"
    attachment_storage().put(key, kept, content_type)
    attachment = Attachment(
        id=attachment_id, conversation_id=conversation_id, kind=kind,
        content_type=content_type, size=len(kept), name=_display_name(name, extension),
        storage_key=key)
    session.add(attachment)
    session.flush()
    return attachment


def read_attachment(attachment: Attachment) -> bytes:
    return attachment_storage().get(attachment.storage_key)


def attachment_url(attachment_id: str) -> str:
    """Where staff and the conversation's customer fetch it (handoff.attachments)."""
    return f"/attachments/{attachment_id}"


def attachment_json(attachment: Attachment | None) -> dict[str, Any] | None:
    if attachment is None:
        return None
    return {"id": attachment.id, "kind": attachment.kind,
            "content_type": attachment.content_type, "size": attachment.size,
            "name": attachment.name, "url": attachment_url(attachment.id)}


def delete_attachments(session: Session, conversation_ids: Iterable[str]) -> int:
    """Remove the attachments of these conversations: the rows now, their files once this
    unit of work commits (a dry run that rolls back keeps them). Returns how many."""
    ids = list(conversation_ids)
    if not ids:
        return 0
    keys = list(session.execute(
        select(Attachment.storage_key).where(Attachment.conversation_id.in_(ids))).scalars())
    session.execute(delete(Attachment).where(Attachment.conversation_id.in_(ids)),
                    execution_options={"synchronize_session": False})
    session.info.setdefault(_FILES_TO_DELETE, []).extend(keys)
    return len(keys)


_FILES_TO_DELETE = "attachment files to delete after commit"


@event.listens_for(Session, "after_commit")
def _delete_files_of_deleted_rows(session: Session) -> None:
    storage = attachment_storage()
    for key in session.info.pop(_FILES_TO_DELETE, []):
        try:
            storage.delete(key)
        except Exception:  # the row is gone; a file left behind is logged, not fatal
            logger.exception("Attachment file %s not deleted", key)


@event.listens_for(Session, "after_rollback")
def _keep_files_of_kept_rows(session: Session) -> None:
    session.info.pop(_FILES_TO_DELETE, None)


__all__ = ["RefusedAttachment", "Upload", "attachment_json", "attachment_url", "checked_upload",
           "delete_attachments", "read_attachment", "save_attachment"]
