"""Photos and videos under retention and data rights: a purge deletes the attachments of the
conversations it anonymises (files once committed, none in a dry run), a customer's
deletion removes theirs, and a data export lists them."""

from __future__ import annotations

from sqlalchemy import select

from handoff.ops.privacy import (
    delete_customer,
    export_customer,
    find_customers,
    purge_closed_conversations,
)
from store import db
from store.attachments import Upload, save_attachment
from store.models import Attachment, Message
from tests.media import photo
from tests.privacy.conftest import NOW, RETENTION_DAYS, SITI


def attach_photo(conversation_id: str) -> str:
    """A photo on the conversation's first message; returns its storage key."""
    with db.session_scope() as session:
        message = session.execute(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq)).scalars().first()
        message.attachment = save_attachment(session, conversation_id,
                                             Upload(photo(), "parcel.jpg"))
        session.flush()
        return message.attachment.storage_key


def attachments() -> dict[str, str]:
    with db.session_scope() as session:
        return {a.conversation_id: a.storage_key
                for a in session.execute(select(Attachment)).scalars()}


def test_a_purge_deletes_the_files_of_purged_conversations_only(two_customers, attachment_dir):
    old, open_ = attach_photo("siti-1"), attach_photo("budi-open")
    with db.session_scope() as session:  # a dry run: counted, then rolled back
        report = purge_closed_conversations(session, older_than_days=RETENTION_DAYS, now=NOW)
        assert report.attachments == 1
        session.rollback()
    assert (attachment_dir / old).exists() and set(attachments()) == {"siti-1", "budi-open"}
    with db.session_scope() as session:
        report = purge_closed_conversations(session, older_than_days=RETENTION_DAYS, now=NOW)
    assert report.attachments == 1
    assert not (attachment_dir / old).exists() and (attachment_dir / open_).exists()
    assert attachments() == {"budi-open": open_}
    with db.session_scope() as session:
        again = purge_closed_conversations(session, older_than_days=RETENTION_DAYS, now=NOW)
    assert (again.changed, again.attachments) == (False, 0)


def test_a_customers_export_lists_and_deletion_removes_their_files(two_customers,
                                                                   attachment_dir):
    sitis, budis = attach_photo("siti-2"), attach_photo("budi-open")
    with db.session_scope() as session:
        exported = export_customer(session, find_customers(session, email=SITI["email"]))
    listed = [m["attachment"] for c in exported["conversations"] for m in c["messages"]
              if m["attachment"]]
    assert [(a["name"], a["content_type"]) for a in listed] == [("parcel.jpg", "image/jpeg")]
    with db.session_scope() as session:
        report = delete_customer(session, find_customers(session, email=SITI["email"]))
    assert report.attachments == 1
    assert not (attachment_dir / sitis).exists() and (attachment_dir / budis).exists()
    assert attachments() == {"budi-open": budis}
