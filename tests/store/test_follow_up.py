"""store.follow_up: addresses read from what customers type, presence, resume links."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from store import follow_up
from store.conversations import ensure_conversation
from store.db import session_scope
from store.models import Conversation

NOW = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(("via", "typed", "found"), [
    ("email", "ini emailku: Rina.Wijaya@Example.com ya", "rina.wijaya@example.com"),
    ("email", "rina@example.com.", "rina@example.com"),
    ("email", "rina@example", None),
    ("email", "no email here", None),
    ("whatsapp", "0812-3456-7890", "+6281234567890"),
    ("whatsapp", "wa aku +62 812 3456 7890 ya kak", "+6281234567890"),
    ("whatsapp", "ORD-583920", None),
    ("whatsapp", "nomorku rahasia", None),
])
def test_the_address_is_found_in_what_the_customer_typed(via, typed, found):
    assert follow_up.find_address(via, typed) == found


def test_addresses_are_masked_when_shown_back():
    assert follow_up.masked("rina.wijaya@example.com") == "r***@example.com"
    assert follow_up.masked("+6281234567890") == "+62•••••••7890"


def test_resume_links_work_for_their_conversation_until_they_expire(database):
    with session_scope() as session:
        ensure_conversation(session, "c1")
        ensure_conversation(session, "c2")
        token = follow_up.create_resume_link(session, "c1", days=7, now=NOW)
    with session_scope() as session:
        assert follow_up.resume_link_valid(session, "c1", token, now=NOW + timedelta(days=6))
        assert not follow_up.resume_link_valid(session, "c1", token, now=NOW + timedelta(days=7))
        assert not follow_up.resume_link_valid(session, "c2", token, now=NOW)
        assert not follow_up.resume_link_valid(session, "c1", token + "x", now=NOW)
        assert not follow_up.resume_link_valid(session, "c1", "", now=NOW)


def test_presence_and_what_the_customer_reached(database):
    with session_scope() as session:
        ensure_conversation(session, "c1")
    with session_scope() as session:
        follow_up.widget_seen(session, "c1", 5, present=True, now=NOW)
    with session_scope() as session:
        conversation = session.get(Conversation, "c1")
        assert follow_up.widget_present(conversation, NOW + timedelta(seconds=60))
        assert not follow_up.widget_present(conversation, NOW + timedelta(seconds=71))
        follow_up.widget_seen(session, "c1", 3, present=False, now=NOW)  # an older tab left
    with session_scope() as session:
        conversation = session.get(Conversation, "c1")
        assert (conversation.widget_seen_at, conversation.customer_reached_seq) == (None, 5)
        # Two gateway instances claim the same missed messages: one wins.
        assert follow_up.mark_reached(session, "c1", 5, 9)
        assert not follow_up.mark_reached(session, "c1", 5, 9)
