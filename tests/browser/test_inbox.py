"""The agent inbox: sign in, see the queue, read the context, claim and reply."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from store.models import Role
from tests.browser import fake_rasa, seed

SUMMARY = "Budi's order TN-10001 is late and he is upset; wants a delivery date."
CUSTOMER_TEXT = "Sudah seminggu! <script>alert('x')</script>"
REPLY = "Halo Pak Budi, saya Rina. Saya cek ke JNE sekarang."


def sign_in(page, username: str):
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(seed.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_agent_sees_context_claims_and_replies(page, save_screenshot):
    seed.create_agent("rina", "Rina")
    seed.seed_handoff(SUMMARY, CUSTOMER_TEXT)
    page.goto("/inbox")
    sign_in(page, "rina")

    item = page.locator(".queue-item", has_text="TN-10001 is late")
    expect(item).to_be_visible()
    expect(item).to_contain_text("Complaint")
    item.click()

    view = page.locator("#conversation")
    expect(view.locator(".summary-text")).to_have_text(SUMMARY)
    expect(view.locator(".msg.customer .msg-text").nth(1)).to_have_text(CUSTOMER_TEXT)
    expect(view.locator(".msg.bot")).to_have_count(2)
    expect(view.locator(".order-card")).to_contain_text("TN-10001")
    expect(view.locator(".previous li")).to_have_count(1)

    view.get_by_role("button", name="Claim").click()
    expect(view.locator(".tag.status")).to_have_text("with Rina")
    view.locator(".composer textarea").fill(REPLY)
    view.locator(".composer textarea").press("Enter")
    reply = view.locator(".msg.agent").last
    expect(reply.locator(".msg-text")).to_have_text(REPLY)
    expect(reply.locator(".msg-sender")).to_have_text("Rina")

    view.get_by_role("button", name="Internal note").click()
    view.locator(".composer textarea").fill("JNE ticket opened")
    view.locator(".composer textarea").press("Enter")
    expect(view.locator(".note")).to_contain_text("JNE ticket opened")
    save_screenshot(page, "inbox-conversation")
    assert page.dialogs == [] and page.errors == []


def test_a_new_handoff_appears_live_with_a_title_badge(page, service):
    seed.create_agent("dewi", "Dewi", Role.agent)
    page.goto("/inbox")
    sign_in(page, "dewi")
    expect(page.locator("#live-state")).to_have_text("live")
    conversation_id = seed.seed_handoff("Customer asks for a refund of a broken item.",
                                        "Barang rusak, minta refund", announced=False)
    # As in production: the action server wrote the handoff, then Rasa's reply reaches the
    # gateway's callback, which announces the handoff to the inbox.
    httpx.post(f"{service}/rasa/callback", **fake_rasa.signed(
        {"recipient_id": conversation_id, "text": "Menghubungkan ke petugas…"})
               ).raise_for_status()

    item = page.locator(".queue-item", has_text="Customer asks for a refund")
    expect(item).to_be_visible()
    expect(page).to_have_title("(1) Inbox — Toko Nusa")
    item.click()  # the agent is back: the badge goes
    expect(page).to_have_title("Inbox — Toko Nusa")
