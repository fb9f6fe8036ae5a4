"""The widget as a new customer meets it, on a desktop and two phones, in both languages:
greeting and starters (nothing stored before the first click), timestamps, the newest line
always in view, labels in the conversation's language, the length counter and refusal."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from handoff.texts import catalog
from store.db import session_scope
from store.models import Conversation, Message
from store.transcript import MAX_MESSAGE_CHARS
from tests.browser import seed
from tests.browser.fake_rasa import GREETING, THANKS, signed
from tests.browser.test_widget import BOT, open_widget, send

WIDGET = "#tokonusa-chat"


def texts(language: str) -> dict[str, str]:
    return catalog(language)["widget"]


def conversation_id(page) -> str:
    """The conversation the widget was given (once the gateway's answer to `start` came)."""
    page.wait_for_function("localStorage.getItem('tokonusa.chat') !== null")
    return page.evaluate("JSON.parse(localStorage.getItem('tokonusa.chat')).conversation_id")


def stored(conversation_id: str) -> Conversation | None:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is not None:
            session.expunge(conversation)
        return conversation


def bot_says(service: str, conversation_id: str, text: str, **extra) -> None:
    """What Rasa's callback does when the bot speaks on its own (or after an action)."""
    httpx.post(f"{service}/rasa/callback", **signed(
        {"recipient_id": conversation_id, "text": text, **extra})).raise_for_status()


@pytest.mark.parametrize("profile,locale", [("desktop", "id-ID"), ("iphone", "en-US"),
                                            ("android", "id-ID")])
def test_greeting_and_starters_store_nothing_until_the_first_click(open_page, profile, locale):
    language, page = locale[:2], open_page(profile, locale)
    words = texts(language)
    page.goto("/")
    open_widget(page)
    welcome = page.locator(f"{WIDGET} .welcome")
    expect(welcome.locator(".text")).to_have_text(words["greeting"])
    starters = welcome.locator(".chip")
    expect(starters).to_have_text([words["starterOrder"], words["starterShipping"],
                                   words["starterReturns"], words["starterPerson"]])
    prepared = conversation_id(page)
    assert stored(prepared) is None  # the widget is open: nothing that counts is stored

    starters.first.click()
    customer = page.locator(f"{WIDGET} .msg.customer:not(.pending)")
    expect(customer.locator(".text")).to_have_text(words["starterOrder"])
    expect(page.locator(f"{BOT} .text")).to_have_text([THANKS])  # /check_order_status
    assert stored(prepared) is not None
    for starter in starters.all():
        expect(starter).to_be_disabled()
    # Every stored line carries its time, as the customer's clock shows it.
    for line in page.locator(f"{WIDGET} .msg:not(.welcome)").all():
        expect(line.locator("time")).to_have_text(re.compile(r"^\d{2}[.:]\d{2}$"))
    assert page.errors == []


def test_an_faq_starter_types_the_question_for_the_bot_to_understand(open_page):
    page = open_page("desktop", "en-GB")
    page.goto("/")
    open_widget(page)
    page.locator(f"{WIDGET} .welcome .chip", has_text="Shipping").click()
    expect(page.locator(f"{WIDGET} .msg.customer:not(.pending) .text")).to_have_text(
        [texts("en")["starterShippingQuestion"]])
    expect(page.locator(f"{BOT} .text")).to_have_text([GREETING])  # typed text, not a payload
    with session_scope() as session:
        [message] = session.query(Message).filter_by(conversation_id=conversation_id(page)).filter(
            Message.sender == "customer").all()
        assert message.text == "How long does delivery take?"


@pytest.mark.parametrize("locale,writes,switched", [
    ("en-US", "kak, pesanan saya belum sampai", "id"),
    ("id-ID", "hello, where is my order please?", "en"),
])
def test_labels_follow_the_conversations_language_not_the_browsers(open_page, locale, writes,
                                                                   switched):
    page = open_page("android", locale)
    page.goto("/")
    open_widget(page)
    textarea = page.locator(f"{WIDGET} textarea")
    expect(textarea).to_have_attribute("placeholder", texts(locale[:2])["placeholder"])
    send(page, writes)
    expect(textarea).to_have_attribute("placeholder", texts(switched)["placeholder"])
    expect(page.locator(f"{WIDGET} h2")).to_have_text(texts(switched)["title"])
    expect(page.locator(f"{WIDGET} .welcome .text")).to_have_text(texts(switched)["greeting"])
    expect(page.locator(f"{WIDGET} .send")).to_have_text(texts(switched)["send"])
    with session_scope() as session:
        assert session.get(Conversation, conversation_id(page)).language == switched


@pytest.mark.parametrize("profile,locale,shown", [("desktop", "en-US", "3,600 / 4,000"),
                                                  ("android", "id-ID", "3.600 / 4.000")])
def test_a_counter_warns_near_the_limit_and_a_long_text_is_kept_not_cut(open_page, profile,
                                                                        locale, shown):
    language, page = locale[:2], open_page(profile, locale)
    page.goto("/")
    open_widget(page)
    textarea, counter = page.locator(f"{WIDGET} textarea"), page.locator(f"{WIDGET} .counter")
    textarea.fill("a" * 3599)
    expect(counter).to_be_hidden()
    textarea.fill("a" * 3600)
    expect(counter).to_have_text(shown)
    too_long = "ab" * (MAX_MESSAGE_CHARS // 2) + "!"  # 4,001 characters
    textarea.fill(too_long)
    refusal = texts(language)["too_long"].replace("{limit}", shown.split(" / ")[1])
    expect(counter).to_contain_text(refusal)
    textarea.press("Enter")
    expect(page.locator(f"{WIDGET} .status")).to_have_text(refusal)
    expect(page.locator(f"{WIDGET} .msg.customer")).to_have_count(0)  # nothing sent
    assert textarea.input_value() == too_long  # kept whole: the customer shortens it
    textarea.press("End")
    textarea.press("Backspace")
    textarea.press("Enter")
    echo = page.locator(f"{WIDGET} .msg.customer:not(.pending) .text")
    expect(echo).to_have_count(1)
    assert len(echo.inner_text()) == MAX_MESSAGE_CHARS
    expect(page.locator(f"{WIDGET} .status")).to_be_hidden()


def wait_until_the_newest_line_shows(page) -> None:
    """Fails (after 5 s) unless the log is scrolled to its end."""
    page.wait_for_function("""() => {
        const log = document.querySelector('#tokonusa-chat').shadowRoot.querySelector('.log');
        return log.scrollHeight > log.clientHeight
            && log.scrollHeight - log.scrollTop - log.clientHeight < 2;
    }""", timeout=5000)


def test_the_newest_line_stays_in_view_when_the_status_bar_and_new_chat_appear(
        open_page, service):
    page = open_page("iphone", "id-ID")
    page.goto("/")
    open_widget(page)
    for index in range(5):  # more lines than the phone's screen holds
        send(page, f"Pertanyaan nomor {index + 1}, mohon dibantu ya kak")
        expect(page.locator(BOT)).to_have_count(index + 1)
    wait_until_the_newest_line_shows(page)
    conversation = conversation_id(page)
    seed.escalate(conversation)
    bot_says(service, conversation, "Saya sambungkan ke petugas kami.")
    expect(page.locator(f"{WIDGET} .status")).to_be_visible()  # the status bar took room
    wait_until_the_newest_line_shows(page)
    with session_scope() as session:
        from store.conversations import close_conversation

        close_conversation(session, conversation, "goodbye")
    bot_says(service, conversation, "Terima kasih, sampai jumpa!")
    expect(page.locator(f"{WIDGET} .new-chat")).to_be_visible()
    wait_until_the_newest_line_shows(page)
    assert page.errors == []
