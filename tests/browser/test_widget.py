"""The chat widget on the demo store, against the real gateway and a fake Rasa."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from store import settings
from tests.browser import seed
from tests.browser.fake_rasa import GREETING, THANKS, signed
from tests.hours import OPEN_ALL_DAY

BOT = "#tokonusa-chat .msg.bot:not(.welcome)"  # bot lines, not the greeting shown on opening
MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold</b>'


def open_widget(page):
    page.locator("#tokonusa-chat button.bubble").click()
    expect(page.locator("#tokonusa-chat .panel")).to_be_visible()


def send(page, text: str):
    page.locator("#tokonusa-chat textarea").fill(text)
    page.locator("#tokonusa-chat textarea").press("Enter")


def shown_texts(page) -> list[str]:
    return page.locator("#tokonusa-chat .msg:not(.welcome) .text").all_inner_texts()


def test_click_path_survives_a_reload_without_duplicates(page, save_screenshot):
    page.goto("/")
    open_widget(page)
    expect(page.locator("#tokonusa-chat textarea")).to_have_attribute("placeholder", "Tulis pesan…")
    send(page, "Halo, saya mau tanya")
    expect(page.locator(f"{BOT} .text").first).to_have_text(GREETING)

    page.locator("#tokonusa-chat .chip", has_text="Cek pesanan").click()
    expect(page.locator(f"{BOT} .text").nth(1)).to_have_text(THANKS)
    expect(page.locator("#tokonusa-chat .msg.customer .text").nth(1)).to_have_text("Cek pesanan")
    expect(page.locator("#tokonusa-chat .msg.pending")).to_have_count(0)
    before = shown_texts(page)
    assert before == ["Halo, saya mau tanya", GREETING, "Cek pesanan", THANKS]
    save_screenshot(page, "widget")

    page.reload()
    open_widget(page)
    expect(page.locator("#tokonusa-chat .msg:not(.welcome)")).to_have_count(len(before))
    page.wait_for_timeout(500)  # a late duplicate replay would show up here
    assert shown_texts(page) == before
    assert page.errors == []


def test_markup_typed_into_the_widget_is_shown_as_text(page):
    page.goto("/")
    open_widget(page)
    send(page, MARKUP)
    customer = page.locator("#tokonusa-chat .msg.customer:not(.pending) .text")
    expect(customer).to_have_text(MARKUP)
    expect(page.locator(BOT)).to_have_count(1)
    injected = page.locator("#tokonusa-chat .log").locator("img, script, b")
    assert injected.count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_customer_sees_the_wait_the_agent_joining_and_the_agent_by_name(page, service,
                                                                       monkeypatch):
    monkeypatch.setenv("OPENING_HOURS", OPEN_ALL_DAY)
    settings.get_settings.cache_clear()
    seed.create_agent("budi.agent", "Rina")
    agent = httpx.Client(base_url=service)
    token = agent.post("/api/v1/auth/login",
                       json={"username": "budi.agent", "password": seed.PASSWORD}).json()["token"]
    agent.headers["Authorization"] = f"Bearer {token}"
    agent.post("/api/v1/agents/heartbeat").raise_for_status()  # online: the wait is in minutes
    page.goto("/")
    open_widget(page)
    send(page, "Saya mau bicara dengan orang")
    expect(page.locator(BOT)).to_have_count(1)
    stored = page.evaluate("JSON.parse(localStorage.getItem('tokonusa.chat'))")
    conversation_id = stored["conversation_id"]

    seed.escalate(conversation_id)
    httpx.post(f"{service}/rasa/callback", **signed(
        {"recipient_id": conversation_id, "text": "Saya hubungkan dengan petugas."})
               ).raise_for_status()
    expect(page.locator("#tokonusa-chat .status")).to_contain_text(
        "Menghubungkan Kakak ke petugas (sekitar")

    handoff_id = next(h["id"] for h in agent.get("/api/v1/handoffs?status=open").json()["items"]
                      if h["conversation_id"] == conversation_id)
    agent.post(f"/api/v1/handoffs/{handoff_id}/claim").raise_for_status()
    expect(page.locator("#tokonusa-chat .status")).to_have_text("Rina bergabung")

    agent.post(f"/api/v1/handoffs/{handoff_id}/typing").raise_for_status()
    expect(page.locator("#tokonusa-chat .typing")).to_have_text("Rina sedang mengetik…")
    agent.post(f"/api/v1/handoffs/{handoff_id}/messages", json={"text": "Halo, saya Rina."})
    reply = page.locator("#tokonusa-chat .msg.agent")
    expect(reply.locator(".text")).to_have_text("Halo, saya Rina.")
    expect(reply.locator(".who")).to_have_text("Rina")
