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
    # Other tests of the package write English chats too: every row is English, ours is there.
    expect(rows.locator("td:nth-child(3)", has_text="ID")).to_have_count(0)
    parcel = rows.filter(has_text="Where is my parcel")
    expect(parcel).to_have_count(1)
    assert "language=en" in page.url

    parcel.click()
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


def test_the_agent_filter_picks_people_by_name(page, ops_user):
    seed.create_agent("rudi", "Rudi")
    seed.seed_agent_reply("rudi", "Paket saya rusak", "Baik Kak, saya bantu klaim ya.")
    page.goto("/ops")
    sign_in(page, ops_user)
    agent_filter = page.locator("select[name=agent_id]")
    expect(agent_filter.locator("option", has_text="Rudi")).to_have_count(1)
    agent_filter.select_option(label="Rudi")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("#results tr[data-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Paket saya rusak")
    assert "agent_id=" in page.url
    page.reload()  # the filter comes back from the URL, still by name
    expect(agent_filter.locator("option:checked")).to_have_text("Rudi")


def test_counts_read_naturally_in_both_languages(page, ops_user):
    page.goto("/ops/dashboard")
    sign_in(page, ops_user)
    labels = page.evaluate("""async () => {
        const i18n = await import('/static/js/i18n.js');
        const said = {};
        for (const language of ['en', 'id']) {
            i18n.setLanguage(language);
            said[language] = [i18n.t('dash.answers', 1), i18n.t('dash.answers', 2),
                              i18n.t('ops.results', 1), i18n.t('dash.cesMeanHint', 1),
                              i18n.t('dash.responseRateHint', 1, 1),
                              i18n.t('dash.handoffRateHint', 1)];
        }
        return said;
    }""")
    assert labels["en"] == ["1 answer", "2 answers", "1 conversation",
                            "average of 1 answer; 7 = very easy", "1 answer to 1 survey sent",
                            "1 conversation was handed to a person"]
    assert labels["id"] == ["1 jawaban", "2 jawaban", "1 percakapan",
                            "rata-rata 1 jawaban; 7 = sangat mudah", "1 jawaban dari 1 survei",
                            "1 percakapan dialihkan ke petugas"]


def test_every_page_has_the_favicon(page, service):
    for path in ("/", "/inbox", "/ops", "/ops/dashboard"):
        page.goto(path)
        expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/favicon.svg")
    for path in ("/favicon.svg", "/favicon.ico"):
        response = page.request.get(path)
        assert response.status == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.body().startswith(b"<svg")
