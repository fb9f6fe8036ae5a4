"""Stored messages as Graph API message objects, the 24-hour window, and the client's retries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from handoff.channels.whatsapp import graph_api
from handoff.channels.whatsapp.outbound import (
    BODY_LIMIT,
    TEXT_LIMIT,
    outgoing_messages,
    split_text,
    within_window,
)
from store.models import Conversation

CES_BUTTONS = [{"title": str(n), "payload": f'/rate_effort{{"ces_score":"{n}"}}'}
               for n in range(1, 8)] + [{"title": "Lewati", "payload": "/stop"}]
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def test_plain_text_is_one_text_message():
    assert outgoing_messages("628", "Halo Kak") == [
        {"to": "628", "type": "text", "text": {"preview_url": False, "body": "Halo Kak"}}]


def test_long_text_is_split_between_words_at_the_whatsapp_limit():
    text = " ".join(["kata"] * 2500)  # 12,499 characters
    pieces = split_text(text)
    assert len(pieces) == 4 and all(len(p) <= TEXT_LIMIT for p in pieces)
    assert " ".join(pieces) == text
    assert all(p.endswith("kata") for p in pieces)


def test_unbroken_text_is_still_split():
    assert [len(p) for p in split_text("x" * (TEXT_LIMIT + 10))] == [TEXT_LIMIT, 10]


def test_up_to_three_buttons_become_reply_buttons_with_the_payload_as_id():
    [message] = outgoing_messages("628", "Apakah sudah membantu?", [
        {"title": "Ya, sudah membantu sekali", "payload": "/affirm"},
        {"title": "Tidak", "payload": "/deny"}])
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Apakah sudah membantu?"}
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/affirm", "title": "Ya, sudah membantu s"}, {"id": "/deny", "title": "Tidak"}]


def test_ces_question_becomes_a_list_of_eight_rows():
    [message] = outgoing_messages("628", "Seberapa mudah?", CES_BUTTONS, "id")
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Pilih"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == ["1", "2", "3", "4", "5", "6", "7", "Lewati"]
    assert rows[5]["id"] == '/rate_effort{"ces_score":"6"}'


def test_list_keeps_ten_rows_and_long_titles_readable():
    buttons = [{"title": f"Pilihan nomor {n} yang cukup panjang", "payload": f"/p{n}"}
               for n in range(12)]
    rows = outgoing_messages("628", "Pilih", buttons)[0]["interactive"]["action"][
        "sections"][0]["rows"]
    assert len(rows) == 10
    assert len(rows[0]["title"]) == 24 and rows[0]["description"].startswith("Pilihan nomor 0")


def test_long_text_with_buttons_sends_the_text_first_and_a_short_body_last():
    text = " ".join(["kalimat"] * 400)  # 3,199 characters
    messages = outgoing_messages("628", text, [{"title": "Ya", "payload": "/affirm"}])
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert len(messages[-1]["interactive"]["body"]["text"]) <= BODY_LIMIT
    joined = messages[0]["text"]["body"] + " " + messages[1]["interactive"]["body"]["text"]
    assert joined == text


def test_payload_too_long_for_whatsapp_is_left_out_rather_than_cut():
    messages = outgoing_messages("628", "Hi", [{"title": "x", "payload": "/" + "a" * 300}])
    assert [m["type"] for m in messages] == ["text"]


@pytest.mark.parametrize(("hours_ago", "open_"), [(1, True), (23.9, True), (24, False),
                                                  (48, False), (None, False)])
def test_window_is_24_hours_after_the_customers_last_message(hours_ago, open_):
    last = None if hours_ago is None else (NOW - timedelta(hours=hours_ago)).replace(tzinfo=None)
    assert within_window(Conversation(last_customer_message_at=last), NOW) is open_


async def test_client_retries_429_and_5xx_then_returns_the_wamid(graph, whatsapp_enabled):
    graph.fail_next(429, 500)
    wamid = await graph_api.send_message({"to": "628", "type": "text",
                                             "text": {"body": "hi"}})
    assert wamid.startswith("wamid.") and len(graph.sent) == 3
    assert graph.sent[0].authorization == "Bearer test-access-token"
    assert graph.sent[0].path == "/v19.0/123456/messages"
    assert graph.sent[0].body["messaging_product"] == "whatsapp"
    assert graph.sent[0].body["recipient_type"] == "individual"


async def test_client_gives_up_after_four_tries(graph, whatsapp_enabled):
    graph.fail_next(503, 503, 503, 503, 503)
    with pytest.raises(graph_api.WhatsAppSendError, match="after 4 attempts"):
        await graph_api.send_message({"to": "628", "type": "text", "text": {"body": "hi"}})
    assert len(graph.sent) == 4


async def test_client_does_not_retry_a_refusal(graph, whatsapp_enabled):
    graph.fail_next(400)
    with pytest.raises(graph_api.WhatsAppSendError, match=r"HTTP 400 \(#4000\) fake failure"):
        await graph_api.send_message({"to": "628", "type": "text", "text": {"body": "hi"}})
    assert len(graph.sent) == 1
