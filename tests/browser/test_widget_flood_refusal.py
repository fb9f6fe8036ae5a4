"""The widget refused for too many open chats from one address: it shows the polite text,
does not hammer the gateway with reconnects, and comes back by itself after `retry_after`
once a place is free, with what was typed meanwhile delivered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from handoff.texts import catalog
from store import settings
from tests.browser.fake_rasa import GREETING
from tests.browser.test_widget import open_widget, send
from tests.browser.test_widget_reconnect import Gateway, new_page

WINDOW_SECONDS = 3


@pytest.fixture
def one_chat_per_address(service, monkeypatch) -> Iterator[Gateway]:
    """A gateway of its own allowing one open chat socket per address."""
    monkeypatch.setenv("CHAT_SOCKETS_PER_ADDRESS", "1")
    monkeypatch.setenv("CHAT_WINDOW_SECONDS", str(WINDOW_SECONDS))
    settings.get_settings.cache_clear()
    gateway = Gateway()
    monkeypatch.setenv("GATEWAY_CALLBACK_URL", f"{gateway.url}/rasa/callback")
    gateway.start()
    yield gateway
    gateway.stop()


def test_a_refused_widget_waits_shows_why_then_gets_through(browser, one_chat_per_address):
    first = new_page(browser, one_chat_per_address.url)
    second = new_page(browser, one_chat_per_address.url)
    sockets: list[str] = []
    second.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        first.goto("/")
        open_widget(first)
        send(first, "Halo")
        replies = first.locator("#tokonusa-chat .msg.bot:not(.welcome) .text")
        expect(replies).to_have_text([GREETING])

        second.goto("/")
        open_widget(second)
        status = second.locator("#tokonusa-chat .status")
        expect(status).to_have_text(catalog("id")["widget"]["too_many_connections"])
        send(second, "Saya juga mau tanya")  # kept in the outbox meanwhile
        second.wait_for_timeout(WINDOW_SECONDS * 1000 / 2)
        assert len(sockets) == 1  # no reconnect before retry_after
        expect(status).to_have_text(catalog("id")["widget"]["too_many_connections"])

        first.context.close()  # the place is free again
        expect(second.locator("#tokonusa-chat .msg.bot:not(.welcome) .text")).to_have_text(
            [GREETING], timeout=WINDOW_SECONDS * 1000 * 4)
        assert 2 <= len(sockets) <= 3
        assert second.errors == []
    finally:
        second.context.close()
