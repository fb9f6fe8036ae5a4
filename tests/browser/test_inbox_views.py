"""The inbox at work, customer and agent each in a browser of their own, in both languages:
views with counts, search, keyboard shortcuts and their help, assignment to a named agent,
opt-in notifications, the reply box of a resolved handoff, summaries in the agent's language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from handoff.summaries import summary_in
from store.db import session_scope
from store.models import Handoff, Role
from tests.browser import seed
from tests.browser.test_widget import open_widget
from tests.browser.test_widget_finish import WIDGET, bot_says, conversation_id, texts

REPLY = {"en": "Hello, I'm {name}. I'll check it right now.",
         "id": "Halo Kak, saya {name}. Saya cek sekarang ya."}
AGENT = {"en": "Rina", "id": "Dewi"}  # by the language of their staff pages
# What the staff pages say, per UI language (handoff/static/js/i18n.js).
STAFF = {
    "en": {"with": "with {name}", "resolve": "Resolve",
           "resolved": "This conversation is resolved; the assistant is looking after the "
                       "customer again."},
    "id": {"with": "ditangani {name}", "resolve": "Selesaikan",
           "resolved": "Percakapan ini sudah selesai; asisten kembali melayani pelanggan."},
}


def agent_page(open_page, username: str, ui: str = "en", **options):
    """An agent signed in to the inbox, the staff pages in `ui`."""
    page = open_page("desktop", "id-ID" if ui == "id" else "en-GB", **options)
    page.add_init_script(f"localStorage.setItem('tokonusa.ui.language', '{ui}')")
    page.goto("/inbox")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(seed.PASSWORD)
    page.locator(".login-card button[type=submit]").click()
    expect(page.locator("#live-state")).to_have_class("live on", timeout=20_000)
    return page


def handoff_of(conversation: str) -> int:
    with session_scope() as session:
        return session.query(Handoff.id).filter_by(conversation_id=conversation).scalar()


def item(page, handoff_id: int):
    return page.locator(f'#queue [data-handoff-id="{handoff_id}"]')


def open_handoff(page, handoff_id: int) -> None:
    """Click it in the list and wait until the conversation is shown (shortcuts act on it)."""
    item(page, handoff_id).click()
    expect(page.locator("#conversation .conv-head")).to_be_visible()
    expect(page.locator("#conversation .composer")).to_be_visible()


@pytest.mark.parametrize("profile,locale,ui", [("iphone", "id-ID", "en"),
                                               ("android", "en-US", "id")])
def test_customer_on_a_phone_and_agent_at_the_inbox_from_request_to_resolved(
        open_page, service, profile, locale, ui, save_screenshot):
    language, agent_name = locale[:2], AGENT[ui]
    seed.create_agent(f"{agent_name.lower()}-{ui}", agent_name)
    customer = open_page(profile, locale)
    customer.goto("/")
    open_widget(customer)
    customer.locator(f"{WIDGET} .welcome .chip", has_text=texts(language)["starterPerson"]).click()
    expect(customer.locator(f"{WIDGET} .msg.customer:not(.pending)")).to_have_count(1)
    conversation = conversation_id(customer)  # the escalation action ran (fake_rasa)
    # Queued (the wait's wording depends on who is online: tests/browser/test_waits_*).
    expect(customer.locator(f"{WIDGET} .status")).to_have_class(re.compile(r"\bwaiting\b"))

    agent = agent_page(open_page, f"{agent_name.lower()}-{ui}", ui)
    handoff_id = handoff_of(conversation)
    expect(agent.locator('[data-view="queue"]')).to_have_attribute("aria-pressed", "true")
    open_handoff(agent, handoff_id)
    agent.keyboard.press("c")  # claim
    words = STAFF[ui]
    view = agent.locator("#conversation")
    expect(view.locator(".tag.status")).to_have_text(words["with"].format(name=agent_name))
    expect(agent.locator('[data-view="mine"]')).to_have_attribute("aria-pressed", "true")
    expect(item(agent, handoff_id)).to_be_visible()  # the list followed it to Mine
    expect(customer.locator(f"{WIDGET} .status")).to_have_text(
        texts(language)["joined"].format(name=agent_name))

    view.locator(".composer textarea").fill(REPLY[language].format(name=agent_name))
    view.locator(".composer textarea").press("Enter")
    reply = customer.locator(f"{WIDGET} .msg.agent")
    expect(reply.locator(".text")).to_have_text(REPLY[language].format(name=agent_name))
    expect(reply.locator(".who")).to_have_text(agent_name)
    expect(reply.locator("time")).to_be_visible()
    save_screenshot(agent, f"inbox-{ui}")
    save_screenshot(customer, f"widget-{profile}-agent")

    view.locator(".conv-head h2").click()  # out of the reply box: keys are shortcuts again
    agent.keyboard.press("r")  # resolve: asks first
    agent.locator("#confirm-resolve").get_by_role("button", name=words["resolve"]).click()
    textarea = view.locator(".composer textarea")
    expect(textarea).to_have_attribute("placeholder", words["resolved"])
    expect(textarea).to_be_disabled()
    expect(agent.locator('[data-view="resolved"]')).to_have_attribute("aria-pressed", "true")
    expect(item(agent, handoff_id)).to_be_visible()
    assert agent.errors == [] and customer.errors == []


def test_views_count_search_finds_by_order_number_and_shortcuts_are_listed(open_page,
                                                                          save_screenshot):
    seed.create_agent("dina", "Dina")
    conversation = seed.seed_handoff("Late parcel, wants a date.", "Kapan sampai?")
    handoff_id = handoff_of(conversation)
    page = agent_page(open_page, "dina")
    queue_count = page.locator('[data-view="queue"] .count')
    expect(item(page, handoff_id)).to_be_visible()
    waiting = int(queue_count.inner_text())
    assert waiting >= 1

    page.keyboard.press("/")
    page.keyboard.type("TN-10001")
    expect(page.locator("#search-count")).to_contain_text("match")
    expect(item(page, handoff_id)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#search-count")).to_be_empty()

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts")
    expect(help_dialog).to_be_visible()
    for label in ("Claim the open conversation", "Resolve the open conversation",
                  "Insert a canned reply", "Next conversation"):
        expect(help_dialog).to_contain_text(label)
    save_screenshot(page, "inbox-shortcuts")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    open_handoff(page, handoff_id)
    page.keyboard.press("c")
    expect(page.locator('[data-view="mine"] .count')).not_to_have_text("0")
    expect(queue_count).to_have_text(str(waiting - 1))
    # The claimed conversation is shown again (with the customer's real details) before
    # the reply box takes shortcuts.
    expect(page.locator("#conversation .tag.status")).to_have_text("with Dina")
    page.locator("#conversation .conv-head h2").click()  # out of any field
    page.keyboard.press("t")  # canned replies
    menu = page.locator(".canned-menu")
    expect(menu).to_be_visible()
    page.keyboard.type("dicek")  # the conversation is Indonesian: "Sedang dicek"
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    expect(page.locator("#conversation .composer textarea")).to_have_value(
        "Baik, saya cek dulu ya. Mohon tunggu sebentar, biasanya tidak lebih dari 2 menit.")
    assert page.errors == []


def test_the_summary_follows_the_agents_language(open_page):
    seed.create_agent("eko", "Eko")
    conversation = seed.seed_handoff("Customer wants to make a complaint (order TN-10001, "
                                     "verified).", "Sudah seminggu belum sampai")
    handoff_id = handoff_of(conversation)
    with session_scope() as session:
        context = session.get(Handoff, handoff_id).context
    page = agent_page(open_page, "eko", "en")
    open_handoff(page, handoff_id)
    summary = page.locator("#conversation .summary-text")
    expect(summary).to_have_text("Customer wants to make a complaint (order TN-10001, verified).")
    page.locator("#app-bar").get_by_role("button", name="Bahasa Indonesia / English").click()
    expect(summary).to_have_text(summary_in("id", context))
    expect(summary).to_contain_text("Pelanggan ingin menyampaikan keluhan")


def test_ops_assign_a_handoff_to_a_named_agent_who_sees_it_live(open_page):
    seed.create_agent("fajar", "Fajar")
    seed.create_agent("olga", "Olga", Role.ops)
    conversation = seed.seed_handoff("Wants to change the address.", "Ganti alamat dong")
    handoff_id = handoff_of(conversation)
    fajar = agent_page(open_page, "fajar", "id")
    fajar.keyboard.press("1")  # Mine
    expect(fajar.locator('[data-view="mine"]')).to_have_attribute("aria-pressed", "true")
    expect(item(fajar, handoff_id)).to_have_count(0)

    ops = agent_page(open_page, "olga", "en")
    open_handoff(ops, handoff_id)
    # By name; Fajar has the inbox open, so he is marked online.
    ops.locator("#conversation select.assign").select_option(label="Fajar (online)")
    expect(ops.locator("#conversation .tag.status")).to_have_text("with Fajar")
    expect(item(fajar, handoff_id)).to_be_visible()  # live, without a reload
    expect(fajar.locator('[data-view="mine"] .count')).to_have_text("1")
    assert fajar.errors == [] and ops.errors == []


# Records what the page asks of the browser's real Notification and AudioContext.
SPY = """
window.__notified = []; window.__beeps = 0;
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) {
    super(title, options);
    window.__notified.push([title, options.body]);
  }
};
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__beeps += 1;
  return realOscillator.call(this);
};
"""


def test_new_handoff_sound_and_browser_notification_only_after_opting_in(open_page, service):
    seed.create_agent("gita", "Gita")
    page = agent_page(open_page, "gita", "en", permissions=["notifications"])
    page.add_init_script(SPY)
    page.reload()
    expect(page.locator("#live-state")).to_have_class("live on", timeout=20_000)

    def new_handoff(summary: str) -> None:
        conversation = seed.seed_handoff(summary, "Tolong dibantu", announced=False)
        bot_says(service, conversation, "Menghubungkan ke petugas…")  # announces it
        expect(page.locator("#queue .queue-item", has_text=summary)).to_be_visible()

    new_handoff("First waiting customer.")
    expect(page).to_have_title("(1) Inbox — Toko Nusa")  # the title always counts
    assert page.evaluate("[window.__notified, window.__beeps]") == [[], 0]

    toggle = page.locator("#notify-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    new_handoff("Second waiting customer.")
    page.wait_for_function("window.__notified.length === 1")
    assert page.evaluate("window.__notified") == [["New conversation waiting",
                                                   "Second waiting customer."]]
    assert page.evaluate("window.__beeps") == 1
