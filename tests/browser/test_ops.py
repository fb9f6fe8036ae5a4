"""Ops review: the transcripts list with filters, and the metrics dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from store.models import Role
from tests.browser import seed
from tests.browser.test_inbox import sign_in


@pytest.fixture(scope="module")
def ops_user(service) -> str:
    seed.create_agent("sari", "Sari", Role.ops)
    seed.seed_closed_conversations()
    return "sari"


def test_transcripts_list_filters_and_opens_a_transcript(page, ops_user, save_screenshot):
    page.goto("/ops")
    sign_in(page, ops_user)
    rows = page.locator("#results tr[data-id]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3

    page.locator("select[name=language]").select_option("en")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Where is my parcel")
    assert "language=en" in page.url

    rows.first.click()
    view = page.locator("#transcript-view")
    expect(view.locator(".msg.customer")).to_have_count(1)
    expect(view.locator(".redaction")).to_have_text("Personal data redacted")
    expect(view.get_by_role("button", name="Print")).to_be_visible()
    save_screenshot(page, "ops-transcripts")
    page.emulate_media(media="print")
    expect(page.locator("#filters")).to_be_hidden()  # only the transcript is printed
    save_screenshot(page, "ops-transcript-print")


def test_dashboard_shows_labelled_numbers_and_charts(page, ops_user, save_screenshot):
    page.goto("/ops/dashboard")
    sign_in(page, ops_user)
    conversations = page.locator("[data-metric=conversations] .value")
    expect(conversations).not_to_have_text("–")
    assert int(conversations.inner_text()) >= 3
    expect(page.locator("[data-metric=ces-mean] .value")).not_to_have_text("–")
    expect(page.locator("[data-metric=containment] .hint")).to_contain_text("closed conversations")
    expect(page.locator(".chart svg").first).to_be_visible()
    save_screenshot(page, "dashboard", full_page=True)
    assert page.errors == []
