"""Streamed CSV / JSON Lines export: content, redaction, and memory that does not grow."""

from __future__ import annotations

import csv
import gc
import io
import json
import tracemalloc
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert

from handoff.ops.export import CSV_HEADER, export_stream
from handoff.ops.search import ConversationFilters
from store import db
from store.models import Conversation, Message, Sender


def test_csv_export_has_the_documented_header_and_a_redacted_transcript(
    client, people, three_conversations
):
    response = client.get("/api/v1/conversations/export?format=csv",
                          headers=people["ops"].headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == CSV_HEADER
    records = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    assert [r["conversation_id"] for r in records] == ["a1", "a2", "a3"]  # oldest first
    a2 = records[1]
    assert (a2["resolved_by"], a2["handoff_reason"], a2["agent"], a2["ces_score"]) == (
        "human", "complaint", "Rina", "2")
    assert a2["transcript"].splitlines() == [
        "2026-11-02T03:00:01+00:00 customer: Refund please, my email is [email]",
        "2026-11-02T03:00:02+00:00 agent (Rina): Sure, refund on the way",
    ]
    assert "siti@example.com" not in response.text
    assert "0812-3456-7890" not in response.text
    assert records[0]["ces_comment"] == "'=HYPERLINK(\"http://x\")"  # not run by spreadsheets


def test_jsonl_export_has_one_conversation_per_line_with_its_messages(
    client, people, three_conversations
):
    response = client.get("/api/v1/conversations/export?format=jsonl&channel=whatsapp",
                          headers=people["ops"].headers)
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["conversation_id"] for line in lines] == ["a2"]
    assert [m["text"] for m in lines[0]["messages"]] == [
        "Refund please, my email is [email]", "Sure, refund on the way"]
    assert lines[0]["messages"][1]["agent"] == "Rina"


def test_ops_may_export_unredacted(client, people, three_conversations):
    response = client.get("/api/v1/conversations/export?format=jsonl&unredacted=true",
                          headers=people["ops"].headers)
    assert "siti@example.com" in response.text


def test_export_is_streamed_not_buffered(client, people, three_conversations):
    response = client.get("/api/v1/conversations/export", headers=people["ops"].headers)
    assert "content-length" not in response.headers


def test_export_needs_ops_and_a_known_format(client, people):
    assert client.get("/api/v1/conversations/export",
                      headers=people["rina"].headers).status_code == 403
    response = client.get("/api/v1/conversations/export?format=xlsx",
                          headers=people["ops"].headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "format"]


def _bulk_conversations(day: date, count: int, prefix: str) -> None:
    start = datetime(day.year, day.month, day.day, 3, tzinfo=timezone.utc)
    conversations = [{"id": f"{prefix}{n:05d}", "channel": "web", "language": "en",
                      "owner": "bot", "next_seq": 3, "created_at": start + timedelta(seconds=n)}
                     for n in range(count)]
    messages = [{"conversation_id": c["id"], "seq": seq, "sender": sender,
                 "text": f"{sender.value} asks where the parcel is, kind regards " * 3,
                 "created_at": c["created_at"]}
                for c in conversations for seq, sender in ((1, Sender.customer), (2, Sender.bot))]
    with db.session_scope() as session:
        session.execute(insert(Conversation), conversations)
        session.execute(insert(Message), messages)


def _peak_while_exporting(filters: ConversationFilters, export_format: str) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in export_stream(filters, export_format))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_a_5000_conversation_export_runs_in_the_memory_of_a_1000_one(shop_db):
    day1, day2 = date(2026, 11, 1), date(2026, 11, 2)
    _bulk_conversations(day1, 1000, "a")
    _bulk_conversations(day2, 4000, "b")
    small = ConversationFilters(date_to=day1)
    everything = ConversationFilters()
    for export_format in ("csv", "jsonl"):
        for filters in (small, everything):  # warm caches (compiled SQL, spaCy)
            _peak_while_exporting(filters, export_format)
        small_peak, small_size = _peak_while_exporting(small, export_format)
        large_peak, large_size = _peak_while_exporting(everything, export_format)
        assert large_size > 4.5 * small_size  # five times the data went out ...
        # ... through about the same memory (garbage collection timing adds some noise;
        # holding every conversation would need about five times as much).
        assert large_peak < 2.5 * small_peak


def test_exports_link_each_photo_or_video_where_it_was_sent(
    client, people, three_conversations, attachment_dir
):
    from sqlalchemy import select

    from store.attachments import Upload, save_attachment
    from tests.media import photo

    with db.session_scope() as session:
        message = session.execute(select(Message).where(
            Message.conversation_id == "a2", Message.seq == 1)).scalar_one()
        message.attachment = save_attachment(session, "a2", Upload(photo(), "dented box.jpg"))
        session.flush()
        link = f"http://testserver/attachments/{message.attachment.id}"
    headers = people["ops"].headers
    jsonl = client.get("/api/v1/conversations/export?format=jsonl&channel=whatsapp",
                       headers=headers)
    [a2] = [json.loads(line) for line in jsonl.text.splitlines()]
    assert a2["messages"][0]["attachment"] == {"kind": "image", "name": "dented box.jpg",
                                               "url": link}
    assert a2["messages"][1]["attachment"] is None
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/conversations/export?format=csv&channel=whatsapp", headers=headers).text)))
    assert rows[0]["transcript"].splitlines()[0].endswith(f"[image: {link}]")
    assert client.get(link.removeprefix("http://testserver"), headers=headers).status_code == 200
