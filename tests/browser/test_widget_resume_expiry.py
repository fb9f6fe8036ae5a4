"""The widget on a shared device after the resume window: the old chat is not shown again,
and the widget starts a new conversation by itself (tests/security has the server side)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from store.db import session_scope
from store.models import Conversation
from store.settings import get_settings
from tests.browser.fake_rasa import GREETING
from tests.browser.test_widget import open_widget, send, shown_texts

STORED = "JSON.parse(localStorage.getItem('tokonusa.chat'))"


def test_an_expired_chat_is_not_replayed_and_a_new_one_starts(page):
    page.goto("/")
    open_widget(page)
    send(page, "Resi pesanan saya berapa?")
    expect(page.locator("#tokonusa-chat .msg.bot:not(.welcome) .text").first).to_have_text(GREETING)
    old = page.evaluate(STORED)["conversation_id"]
    with session_scope() as session:  # the chat happened yesterday and was closed then
        conversation = session.get(Conversation, old)
        past = timedelta(hours=get_settings().resume_hours + 1)
        conversation.closed_at = conversation.last_message_at - past
        conversation.created_at -= past
        conversation.last_message_at -= past

    page.reload()
    open_widget(page)
    # A function, not an expression: the page's CSP forbids eval.
    page.wait_for_function(f"() => {STORED}?.conversation_id && "
                           f"{STORED}.conversation_id !== '{old}'")
    assert shown_texts(page) == []
    send(page, "Halo lagi")
    expect(page.locator("#tokonusa-chat .msg.bot:not(.welcome) .text").first).to_have_text(GREETING)
    assert page.evaluate(STORED)["conversation_id"] != old
    assert page.errors == []
