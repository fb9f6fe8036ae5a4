"""Canned replies in the inbox: an agent adds their own with a placeholder, it is filled from
the handoff when inserted; one needing what the conversation lacks says so."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import seed
from tests.browser.test_inbox import sign_in


def test_agent_adds_a_reply_and_it_is_filled_for_the_customer(page, save_screenshot):
    seed.create_agent("wati", "Wati")
    seed.seed_handoff("Wati's customer wants the tracking number of TN-10001.",
                      "Nomor resinya berapa kak?")
    page.goto("/inbox")
    sign_in(page, "wati")
    page.locator(".queue-item", has_text="Wati's customer").click()
    view = page.locator("#conversation")
    view.get_by_role("button", name="Claim").click()
    expect(view.locator(".tag.status")).to_have_text("with Wati")

    view.get_by_role("button", name="Manage replies").click()
    dialog = page.locator("dialog.canned-dialog")
    expect(dialog.locator(".canned-item").first).to_be_visible()
    dialog.get_by_role("button", name="New reply").click()
    dialog.locator("input[name=title]").fill("Resi aktif")
    dialog.locator("textarea[name=text]").fill(
        "Halo Kak {customer_name}, resi pesanan {order_id} sudah aktif. Salam, {agent_name}")
    dialog.get_by_role("button", name="Save").click()
    mine = dialog.locator(".canned-item", has_text="Resi aktif")
    expect(mine).to_contain_text("mine")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    shared = dialog.locator(".canned-item", has_text="Salam pembuka")
    expect(shared.get_by_role("button", name="Edit")).to_have_count(0)  # agents: not shared
    save_screenshot(page, "inbox-canned-replies")
    dialog.get_by_role("button", name="Close").click()

    view.locator(".canned-button").click()  # the menu, filtered as you type ("t" opens it)
    view.locator(".canned-filter").fill("resi")
    view.locator(".canned-option", has_text="Resi aktif").click()
    expect(view.locator(".composer textarea")).to_have_value(
        "Halo Kak Budi Santoso, resi pesanan TN-10001 sudah aktif. Salam, Wati")
    assert page.errors == []
