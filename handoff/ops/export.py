"""Streamed CSV / JSON Lines export of the conversations matching the ops filters.

Conversations are read in keyset batches of BATCH_SIZE (ordered by created_at, id) with their
messages and facts, written out, and dropped from the session before the next batch, so an
export of 100 000 conversations holds one batch in memory at a time on SQLite and PostgreSQL.

CSV columns (CSV_HEADER), one row per conversation:
  conversation_id, created_at, closed_at (ISO 8601 UTC), channel, language, close_reason,
  resolved_by (bot|human|empty), handoff_reason, agent (display name of the last handoff's
  agent), ces_score (1–7 or empty), ces_comment, message_count,
  transcript (one line per message: "<created_at> <sender>[ (<agent>)]: <text>", then
  " [image: <link>]" or " [video: <link>]" for a photo or video: staff open it signed in).
Cells whose first visible character is = + - @ (or their full-width forms ＝＋－＠) get a
leading apostrophe so spreadsheets do not run them, also after leading spaces, tabs,
no-break spaces or a byte-order mark, which spreadsheets skip; so do cells starting with
a tab or carriage return.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from handoff.ops.search import (
    ConversationFacts,
    ConversationFilters,
    conditions,
    facts_for,
)
from handoff.redaction import redact_text
from handoff.serialize import iso
from store.attachments import attachment_url
from store.db import session_scope
from store.models import Agent, Attachment, Conversation, Message

ExportFormat = Literal["csv", "jsonl"]
BATCH_SIZE = 500
FLUSH_CHARS = 64_000
CSV_HEADER = [
    "conversation_id", "created_at", "closed_at", "channel", "language", "close_reason",
    "resolved_by", "handoff_reason", "agent", "ces_score", "ces_comment", "message_count",
    "transcript",
]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Skipped by spreadsheets before they look for a formula sign.
_LEADING_BLANKS = " \t\r\n\u00a0\u2007\u202f\u3000\ufeff"


def _batches(
    session: Session, filters: ConversationFilters, batch_size: int
) -> Iterator[list[Conversation]]:
    where = conditions(filters)
    last: tuple[Any, str] | None = None
    while True:
        statement = select(Conversation).where(*where)
        if last is not None:
            statement = statement.where(or_(
                Conversation.created_at > last[0],
                and_(Conversation.created_at == last[0], Conversation.id > last[1]),
            ))
        batch = list(session.execute(
            statement.order_by(Conversation.created_at, Conversation.id).limit(batch_size)
        ).scalars())
        if not batch:
            return
        yield batch
        last = (batch[-1].created_at, batch[-1].id)
        session.expunge_all()  # let the batch be garbage collected


def _messages(session: Session, ids: list[str],
              base_url: str) -> dict[str, list[dict[str, Any]]]:
    # Plain columns, not ORM objects: an export only reads them once.
    rows = session.execute(
        select(Message.conversation_id, Message.seq, Message.sender, Message.text,
               Message.created_at, Agent.display_name, Attachment.id, Attachment.kind,
               Attachment.name)
        .outerjoin(Agent, Agent.id == Message.agent_id)
        .outerjoin(Attachment, Attachment.message_id == Message.id)
        .where(Message.conversation_id.in_(ids))
        .order_by(Message.conversation_id, Message.seq)
    ).all()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (conversation_id, seq, sender, text, created_at, agent_name, attachment_id, kind,
         name) in rows:
        # A link, not the file: it opens for staff signed in (GET /attachments/{id}).
        attachment = {"kind": kind, "name": name,
                      "url": base_url + attachment_url(attachment_id)} if attachment_id else None
        grouped[conversation_id].append({"seq": seq, "sender": sender.value, "agent": agent_name,
                                         "text": text, "created_at": iso(created_at),
                                         "attachment": attachment})
    return grouped


def conversation_records(
    filters: ConversationFilters, *, redact: bool = True, batch_size: int = BATCH_SIZE,
    base_url: str = "",
) -> Iterator[dict[str, Any]]:
    """One plain dict per matching conversation (with its transcript), oldest first;
    attachment links start with `base_url` (the service's address as the caller used it)."""
    clean = redact_text if redact else (lambda text: text)
    with session_scope() as session:
        for batch in _batches(session, filters, batch_size):
            ids = [conversation.id for conversation in batch]
            messages = _messages(session, ids, base_url.rstrip("/"))
            facts = facts_for(session, ids)
            for conversation in batch:
                yield _record(conversation, messages.get(conversation.id, []),
                              facts[conversation.id], clean)


def _record(conversation: Conversation, messages: list[dict[str, Any]],
            facts: ConversationFacts, clean: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "created_at": iso(conversation.created_at),
        "closed_at": iso(conversation.closed_at),
        "channel": conversation.channel,
        "language": conversation.language,
        "close_reason": conversation.close_reason,
        "resolved_by": facts.resolved_by(conversation),
        "handoff_reason": facts.reason,
        "agent": facts.agent.display_name if facts.agent else None,
        "ces_score": facts.ces_score,
        "ces_comment": clean(facts.ces_comment),
        "message_count": len(messages),
        "messages": [{**message, "text": clean(message["text"])} for message in messages],
    }


def _transcript_line(message: dict[str, Any]) -> str:
    who = message["sender"] + (f" ({message['agent']})" if message["agent"] else "")
    attachment = message.get("attachment")
    link = f" [{attachment['kind']}: {attachment['url']}]" if attachment else ""
    return f"{message['created_at']} {who}: {message['text']}{link}".rstrip()


def _transcript(messages: list[dict[str, Any]]) -> str:
    return "\n".join(_transcript_line(message) for message in messages)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and (value.startswith(("\t", "\r"))
                                   or value.lstrip(_LEADING_BLANKS).startswith(_FORMULA_SIGNS)):
        return "'" + value
    return "" if value is None else value


def csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for record in records:
        row = {**record, "transcript": _transcript(record["messages"])}
        writer.writerow([_cell(row[column]) for column in CSV_HEADER])
        if buffer.tell() >= FLUSH_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    chunk: list[str] = []
    size = 0
    for record in records:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        chunk.append(line)
        size += len(line)
        if size >= FLUSH_CHARS:
            yield "".join(chunk)
            chunk, size = [], 0
    yield "".join(chunk)


def export_stream(
    filters: ConversationFilters, export_format: ExportFormat = "csv", *, redact: bool = True,
    batch_size: int = BATCH_SIZE, base_url: str = "",
) -> Iterator[str]:
    """Text chunks of the export, produced lazily while the response is being sent."""
    records = conversation_records(filters, redact=redact, batch_size=batch_size,
                                   base_url=base_url)
    return csv_lines(records) if export_format == "csv" else jsonl_lines(records)


__all__ = [
    "BATCH_SIZE",
    "CSV_HEADER",
    "MEDIA_TYPES",
    "ExportFormat",
    "conversation_records",
    "csv_lines",
    "export_stream",
    "jsonl_lines",
]
