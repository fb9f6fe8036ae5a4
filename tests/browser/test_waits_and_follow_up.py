"""After hours the widget's status bar says what the bot says; a customer who leaves their
email gets the agent's reply there (a real local SMTP server), with a link that opens the same
conversation in a fresh browser. Customer and agent each in their own browser context."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from handoff.channels.web import offline
from store import settings
from store.conversations import open_handoff
from store.db import session_scope
from tests.browser import seed
from tests.browser.test_inbox import sign_in
from tests.browser.test_widget import open_widget, send
from tests.hours import closed_now
from tests.smtp import LINK, body, smtp_server

BACK_AT = re.compile(r"\d\d:\d\d \w+ \(\d\d/\d\d\)")  # "08:00 WIB (02/12)"
EMAIL = "ana.customer@example.com"


@pytest.fixture
def after_hours(monkeypatch):
    monkeypatch.setenv("OPENING_HOURS", closed_now())
    settings.get_settings.cache_clear()


def customer_page(browser, service, locale: str):
    context = browser.new_context(base_url=service, locale=locale,
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def ask_for_a_person(page, first_message: str) -> None:
    page.goto("/")
    open_widget(page)
    send(page, first_message)
    # The bot's menu button (the greeting's starter of the same words is another chip).
    page.locator("#tokonusa-chat .chips:not(.starters) .chip",
                 has_text="Bicara dengan petugas").click()


@pytest.mark.parametrize(("locale", "first_message", "status_text", "bot_words"), [
    ("id-ID", "Halo kak, saya mau tanya soal pesanan", "Tim kami kembali pukul",
     "di luar jam kerja"),
    ("en-US", "Hello, I have a question about my order please", "Our team is back at",
     "offline right now"),
])
def test_after_hours_the_status_bar_agrees_with_the_bot(browser, service, after_hours, locale,
                                                        first_message, status_text, bot_words,
                                                        save_screenshot):
    page = customer_page(browser, service, locale)
    ask_for_a_person(page, first_message)
    bot = page.locator("#tokonusa-chat .msg.bot .text", has_text=bot_words)
    expect(bot).to_be_visible()
    status = page.locator("#tokonusa-chat .status")
    expect(status).to_contain_text(status_text)
    back_at = BACK_AT.search(status.inner_text()).group(0)
    assert back_at in bot.inner_text()  # the same opening time, to the minute and day
    assert "min" not in status.inner_text().lower()
    save_screenshot(page, f"widget-after-hours-{locale[:2]}")
    assert page.errors == []
    page.context.close()


def test_a_customer_who_left_gets_the_reply_by_email_and_the_link_reopens_the_chat(
        browser, service, after_hours, monkeypatch, save_screenshot):
    with smtp_server() as mailbox:
        monkeypatch.setenv("SMTP_URL", mailbox.url)
        monkeypatch.setenv("CHAT_PAGE_URL", f"{service}/")
        monkeypatch.setattr(offline, "FORWARD_DELAY_SECONDS", 0.2)
        settings.get_settings.cache_clear()
        seed.create_agent("sinta", "Sinta")

        customer = customer_page(browser, service, "id-ID")
        ask_for_a_person(customer, "Halo kak, paket saya belum sampai juga")
        offer = customer.locator("#tokonusa-chat .msg.bot", has_text="email atau WhatsApp")
        offer.locator(".chip", has_text="Lewat email").click()
        expect(customer.locator("#tokonusa-chat .msg.bot .text", has_text="alamat email")
               ).to_be_visible()
        send(customer, EMAIL)
        expect(customer.locator("#tokonusa-chat .msg.bot .text", has_text="a***@example.com")
               ).to_be_visible()
        conversation_id = customer.evaluate(
            "JSON.parse(localStorage.getItem('tokonusa.chat')).conversation_id")
        customer.context.close()  # the customer leaves

        agent = customer_page(browser, service, "en-US")
        agent.goto("/inbox")
        sign_in(agent, "sinta")
        with session_scope() as session:
            handoff_id = open_handoff(session, conversation_id).id
        agent.locator(f'.queue-item[data-handoff-id="{handoff_id}"]').click()
        view = agent.locator("#conversation")
        view.get_by_role("button", name="Claim").click()
        expect(view.locator(".tag.status")).to_have_text("with Sinta")
        expect(view.locator(".tag.follow-up")).to_have_text(
            f"When away, replies go by email to {EMAIL}")
        reply = "Halo Kak, paketnya sudah saya cek: besok sampai ya."
        view.locator(".composer textarea").fill(reply)
        view.locator(".composer textarea").press("Enter")
        sent = view.locator(".msg.agent").last
        expect(sent.locator(".msg-text")).to_have_text(reply)
        expect(sent.locator(".msg-delivery")).to_have_text("sent outside the chat")
        save_screenshot(agent, "inbox-reply-emailed")

        [email] = mailbox.wait_for(1)
        assert email["To"] == EMAIL and f"Sinta: {reply}" in body(email)
        link = LINK.search(body(email))
        assert link.group("conversation") == conversation_id

        back = customer_page(browser, service, "en-US")  # another device: nothing stored
        back.goto(link.group(0))
        texts = back.locator("#tokonusa-chat .msg:not(.welcome) .text")  # under the greeting
        expect(back.locator("#tokonusa-chat .panel")).to_be_visible()
        expect(texts.last).to_have_text(reply)
        assert texts.first.inner_text() == "Halo kak, paket saya belum sampai juga"
        assert back.evaluate("JSON.parse(localStorage.getItem('tokonusa.chat')).conversation_id"
                             ) == conversation_id
        assert "tokonusa-chat=" not in back.url  # the token left the address bar
        save_screenshot(back, "widget-opened-from-email")
        assert back.errors == [] and agent.errors == []
        for page in (agent, back):
            page.context.close()
