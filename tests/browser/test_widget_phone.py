"""The demo store and the widget under phone emulation (an iPhone, an Android phone):
nothing wider than the screen, a full-screen chat inside the safe areas, thumb-sized
targets (the survey scale included) and an input iPhones do not zoom into."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_widget import BOT, open_widget, send
from tests.browser.test_widget_finish import WIDGET, bot_says, conversation_id

MIN_TARGET = 44  # px, Apple's and Google's minimum touch target
SCALE = [{"title": str(n), "payload": f'/rate_effort{{"ces_score":"{n}"}}'} for n in range(1, 8)]
NOTCH = {"top": 47, "bottom": 34, "left": 0, "right": 0}  # an iPhone 13 in portrait


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_thumb_sized(locator) -> None:
    for target in locator.all():
        size = box(target)
        assert size["width"] >= MIN_TARGET and size["height"] >= MIN_TARGET, (
            target.inner_text(), size)


def assert_within_screen(page, locator) -> None:
    viewport = page.viewport_size
    for target in locator.all():
        size = box(target)
        assert size["x"] >= 0 and size["x"] + size["width"] <= viewport["width"] + 0.5, size
        assert size["y"] >= 0 and size["y"] + size["height"] <= viewport["height"] + 0.5, size


@pytest.mark.parametrize("profile,locale", [("iphone", "id-ID"), ("android", "en-US")])
def test_store_and_widget_fit_a_phone(open_page, service, profile, locale, save_screenshot):
    page = open_page(profile, locale)
    page.context.new_cdp_session(page).send("Emulation.setSafeAreaInsetsOverride",
                                            {"insets": NOTCH})
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the store page is {width} px wide"
    launcher = page.locator(f"{WIDGET} .bubble")
    assert_within_screen(page, launcher)  # the whole launcher, not two thirds off-screen

    open_widget(page)
    viewport = page.viewport_size
    panel = box(page.locator(f"{WIDGET} .panel"))
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (
        0, 0, viewport["width"], viewport["height"])  # full screen
    expect(launcher).to_be_hidden()  # it would cover the send button
    # Inside the safe areas: the header clears the notch, the composer the home bar.
    header = page.locator(f"{WIDGET} header")
    composer = page.locator(f"{WIDGET} .composer")
    assert header.evaluate("el => getComputedStyle(el).paddingTop") == f"{NOTCH['top']}px"
    assert composer.evaluate("el => getComputedStyle(el).paddingBottom") == f"{NOTCH['bottom']}px"
    textarea = page.locator(f"{WIDGET} textarea")
    assert float(textarea.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 16
    assert_thumb_sized(page.locator(f"{WIDGET} .close, {WIDGET} .send, {WIDGET} .welcome .chip"))
    save_screenshot(page, f"widget-{profile}")

    send(page, "halo" if locale.startswith("id") else "hello there")
    expect(page.locator(BOT)).to_have_count(1)
    bot_says(service, conversation_id(page), "1 = sangat sulit, 7 = sangat mudah", buttons=SCALE)
    scale = page.locator(f"{WIDGET} .chips.scale .chip")
    expect(scale).to_have_count(7)
    assert_thumb_sized(scale)
    assert_within_screen(page, scale)
    assert len({round(box(chip)["y"]) for chip in scale.all()}) == 1  # one row, 1 to 7
    save_screenshot(page, f"widget-{profile}-survey")
    assert page.errors == []


def test_the_desktop_widget_stays_a_card_beside_the_page(open_page, save_screenshot):
    page = open_page("desktop", "id-ID")
    page.goto("/")
    open_widget(page)
    panel = box(page.locator(f"{WIDGET} .panel"))
    assert panel["width"] <= 400 and panel["x"] > 600  # a card at the right, not full screen
    expect(page.locator(f"{WIDGET} .bubble")).to_be_visible()
    save_screenshot(page, "widget-desktop")
