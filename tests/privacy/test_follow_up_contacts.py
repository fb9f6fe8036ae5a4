"""The email or WhatsApp number left for replies is personal data like any other: exported,
deleted, purged, and it finds a person who is known by nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handoff.ops.privacy import (
    delete_customer,
    export_customer,
    find_customers,
    purge_closed_conversations,
)
from store import db, follow_up
from store.models import Conversation, ResumeLink
from tests.handoff.conftest import add_conversation, nov, stored
from tests.privacy.conftest import NOW, RETENTION_DAYS

ADDRESS = "ana@example.com"


def left_address(conversation_id: str, *, closed: bool = False) -> str:
    """A website conversation of nobody known, where the customer left ADDRESS for replies
    and was sent a resume link; returns the link's token."""
    add_conversation(conversation_id, created_at=nov(3), closed_at=nov(3, 5) if closed else None,
                     close_reason="idle" if closed else None,
                     messages=[("customer", "paket saya belum sampai"),
                               ("customer", f"email saya {ADDRESS}")])
    with db.session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        follow_up.ask_for_address(conversation, follow_up.EMAIL)
        follow_up.save_address(conversation, ADDRESS, now=nov(3, 1))
        return follow_up.create_resume_link(session, conversation_id, days=7, now=nov(3, 2))


def test_someone_known_only_by_the_address_they_left_is_exported_and_deleted(two_customers):
    left_address("ana-1")
    with db.session_scope() as session:
        data = export_customer(session, find_customers(session, email="ANA@example.com"))
    [conversation] = data["conversations"]
    assert conversation["id"] == "ana-1"
    assert conversation["follow_up"] == {"via": "email", "address": ADDRESS,
                                         "consent_at": nov(3, 1).isoformat()}
    assert conversation["resume_links"] == [{"created_at": nov(3, 2).isoformat(),
                                             "expires_at": (nov(3, 2) + timedelta(days=7))
                                             .isoformat()}]
    with db.session_scope() as session:
        report = delete_customer(session, find_customers(session, email=ADDRESS))
    assert (report.conversations, report.resume_links, report.customers) == (1, 1, 0)
    assert stored(Conversation, id="ana-1") == [] and stored(ResumeLink) == []
    assert {c.id for c in stored(Conversation)} >= {"siti-1", "budi-open"}  # nobody else's


def test_purge_forgets_the_address_and_its_links(two_customers):
    token = left_address("ana-old", closed=True)
    with db.session_scope() as session:
        purge_closed_conversations(session, older_than_days=RETENTION_DAYS, now=NOW)
    [conversation] = stored(Conversation, id="ana-old")
    assert (conversation.follow_up_via, conversation.follow_up_address,
            conversation.follow_up_consent_at) == (None, None, None)
    with db.session_scope() as session:
        assert not follow_up.resume_link_valid(session, "ana-old", token, now=nov(3, 3))
        assert session.execute(select(ResumeLink)).first() is None
