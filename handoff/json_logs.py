"""Structured logs: one JSON object per line, naming the conversation and the message,
never the customer's personal data.

With LOG_FORMAT=json (the production layout) every log line of the gateway, uvicorn's
included, is {"time", "level", "logger", "event", "conversation_id", "message_id",
"error"}. The ids come from `log_context` (set for the duration of a bot turn, carried into
the tasks it starts), so a line written deep inside still says which conversation it is
about. Emails, phone numbers, card numbers and street addresses are masked in the event
and the error text (handoff.redaction), whatever a log call or an exception put there.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from handoff.redaction import redact_text

_conversation: ContextVar[str | None] = ContextVar("conversation_id", default=None)
_message: ContextVar[str | None] = ContextVar("message_id", default=None)


@contextmanager
def log_context(conversation_id: str, message_id: str | None = None) -> Iterator[None]:
    """Lines logged inside (and in tasks started inside) carry these ids."""
    tokens = (_conversation.set(conversation_id), _message.set(message_id))
    try:
        yield
    finally:
        _message.reset(tokens[1])
        _conversation.reset(tokens[0])


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": redact_text(record.getMessage()),
            "conversation_id": getattr(record, "conversation_id", None) or _conversation.get(),
            "message_id": getattr(record, "message_id", None) or _message.get(),
        }
        if record.exc_info:
            entry["error"] = redact_text(self.formatException(record.exc_info))
        return json.dumps({k: v for k, v in entry.items() if v is not None},
                          ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    """LOG_FORMAT=json: every logger of the process (uvicorn's too) writes JSON lines to
    stderr at INFO; "text" leaves logging as it is (development, tests)."""
    if log_format != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.captureWarnings(True)  # library warnings become JSON lines too
