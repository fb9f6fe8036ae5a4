"""The widget when the connection or the database goes away: nothing lost, nothing twice.

The reconnect test stops and restarts a real gateway on a fixed port (the widget keeps
its URL); the `unavailable` test uses a protocol-level fake, because the real SQLite
gateway waits up to 30 s for a locked database instead of answering `unavailable`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scripts.processes import free_port
from store.db import session_scope
from store.models import Message, Sender
from tests.browser.fake_gateway import FakeGateway
from tests.browser.fake_rasa import GREETING, signed
from tests.browser.servers import serve
from tests.browser.test_widget import BOT, open_widget, send, shown_texts

RECONNECT_MS = 20_000  # the widget backs off up to 15 s between attempts
OFFLINE = {"id": "Koneksi terputus, menyambung ulang…", "en": "Connection lost, reconnecting…"}
UNAVAILABLE = {
    "id": "Koneksi ke server sedang terganggu, pesan Kakak akan dikirim ulang otomatis…",
    "en": "We're having a connection problem; your message will be sent again automatically…",
}


class Gateway:
    """The real service on a fixed port, stopped and started again by the test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: ExitStack | None = None

    def start(self) -> None:
        from handoff.app import create_app

        self._running = ExitStack()
        self._running.enter_context(serve(create_app(idle_sweeper=False), self.port))

    def stop(self) -> None:
        """Like a restart in production: open sockets are closed (1012), new ones refused."""
        if self._running:
            self._running.close()
            self._running = None


@pytest.fixture
def gateway(service, monkeypatch) -> Iterator[Gateway]:
    """A gateway of its own (same database and fake Rasa as `service`), to stop at will."""
    gateway = Gateway()
    # The fake Rasa answers here, so bot replies are published on this gateway's event
    # loop, where the widget's socket lives.
    monkeypatch.setenv("GATEWAY_CALLBACK_URL", f"{gateway.url}/rasa/callback")
    gateway.start()
    yield gateway
    gateway.stop()


def new_page(browser, base_url: str, locale: str = "id-ID"):
    """A fresh profile whose page records every frame the widget sends."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800},
                                  locale=locale)
    page = context.new_page()
    page.errors, page.sent = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("websocket", lambda ws: ws.on(
        "framesent", lambda payload: page.sent.append(json.loads(payload))))
    return page


def client_ids(frames: list[dict], text: str) -> set[str]:
    return {f["client_message_id"] for f in frames if f.get("type") == "message"
            and f.get("text") == text}


def test_messages_typed_while_the_gateway_restarts_arrive_once(browser, gateway, service):
    page = new_page(browser, gateway.url)
    status = page.locator("#tokonusa-chat .status")
    pending = page.locator("#tokonusa-chat .msg.pending")
    try:
        page.goto("/")
        open_widget(page)
        send(page, "Halo, pesanan saya belum sampai")
        expect(page.locator(f"{BOT} .text")).to_have_text([GREETING])
        conversation_id = page.evaluate(
            "JSON.parse(localStorage.getItem('tokonusa.chat')).conversation_id")

        gateway.stop()
        expect(status).to_have_text(OFFLINE["id"])
        offline = ["Nomornya TN-10001", "Tolong dicek ya"]
        for text in offline:
            send(page, text)
        expect(pending).to_have_count(2)
        # Said while the widget was away (through the other gateway, on the same database):
        # only the resume replay can bring it.
        httpx.post(f"{service}/rasa/callback", **signed({
            "recipient_id": conversation_id, "text": "Mohon tunggu, kami sedang mengecek."}),
        ).raise_for_status()
        page.wait_for_timeout(1000)  # a few refused reconnect attempts
        expect(status).to_have_text(OFFLINE["id"])

        gateway.start()
        expect(pending).to_have_count(0, timeout=RECONNECT_MS)
        expect(status).to_be_hidden()
        expect(page.locator(BOT)).to_have_count(4)  # + 2 greetings
        page.wait_for_timeout(500)  # a late duplicate would show up here

        with session_scope() as session:
            rows = session.execute(select(Message).where(
                Message.conversation_id == conversation_id).order_by(Message.seq)).scalars().all()
            stored = [(m.sender, m.text, m.client_message_id) for m in rows]
        # The page shows exactly the stored transcript: every message once, in order.
        assert shown_texts(page) == [text for _, text, _ in stored]
        customer = [(text, client_id) for sender, text, client_id in stored
                    if sender == Sender.customer]
        assert [text for text, _ in customer] == ["Halo, pesanan saya belum sampai", *offline]
        for text, client_id in customer:
            # One row per message, under the one id the widget ever sent it with.
            assert client_ids(page.sent, text) == {client_id}
        resumes = [f for f in page.sent if f["type"] == "resume"]
        assert [(f["conversation_id"], f["after_seq"]) for f in resumes] == [(conversation_id, 2)]
        assert page.errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("locale", ["id-ID", "en-US"])
def test_a_message_the_server_could_not_store_is_sent_again_until_it_is(browser, locale):
    language = locale[:2]
    fake = FakeGateway(retry_after=1)
    with serve(fake.app, free_port()) as url:
        page = new_page(browser, url, locale)
        status = page.locator("#tokonusa-chat .status")
        try:
            page.goto("/")
            open_widget(page)
            send(page, "Halo")
            expect(status).to_have_text(UNAVAILABLE[language])
            send(page, "Dua")  # typed while waiting: held back, so it cannot overtake
            expect(page.locator("#tokonusa-chat .msg.pending")).to_have_count(2)
            expect(page.locator("#tokonusa-chat .msg.failed")).to_have_count(0)
            deadline = time.monotonic() + 10
            while len(frames_of(fake, "Halo")) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(50)
            fake.available = True  # "the database is back"

            delivered = page.locator("#tokonusa-chat .msg.customer:not(.pending) .text")
            expect(delivered).to_have_text(["Halo", "Dua"], timeout=15_000)
            expect(status).to_be_hidden()
            page.wait_for_timeout(500)
            assert shown_texts(page) == ["Halo", "Dua"]
            assert page.errors == []
        finally:
            page.context.close()

    halo, dua = frames_of(fake, "Halo"), frames_of(fake, "Dua")
    assert len(halo) == 3 and len({f["client_message_id"] for _, _, f in halo}) == 1
    (_, first, _), (_, second, _), (_, third, _) = halo
    assert second - first >= 0.95 and third - second >= 1.95  # retry_after, then doubled
    assert len({f["client_message_id"] for _, _, f in dua}) == 1
    assert dua[0][0] > halo[1][0]  # never sent ahead of the message refused before it


def test_a_refused_start_is_asked_for_again(browser):
    fake = FakeGateway(retry_after=1, refused_starts=1)
    fake.available = True  # only the start is refused
    with serve(fake.app, free_port()) as url:
        page = new_page(browser, url)
        try:
            page.goto("/")
            open_widget(page)  # opening the panel starts the conversation: refused
            expect(page.locator("#tokonusa-chat .status")).to_have_text(OFFLINE["id"])
            send(page, "Halo")
            delivered = page.locator("#tokonusa-chat .msg.customer:not(.pending) .text")
            expect(delivered).to_have_text(["Halo"], timeout=10_000)
            expect(page.locator("#tokonusa-chat .status")).to_be_hidden()
            assert shown_texts(page) == ["Halo"]
        finally:
            page.context.close()
    kinds = [frame["type"] for _, frame in fake.received if frame["type"] != "ping"]
    assert kinds == ["start", "start", "message"]


def frames_of(fake: FakeGateway, text: str) -> list[tuple[int, float, dict]]:
    """(position among the message frames received, when, frame) of one text's sends."""
    return [(index, at, frame) for index, (at, frame) in enumerate(fake.messages())
            if frame["text"] == text]
