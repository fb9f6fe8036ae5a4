"""The chat widget's script, served with the customer texts of every language inside it.

widget.js holds no wording of its own: the gateway fills in handoff/texts/*.yml when it
serves the file, so the widget, the gateway and the other channels say the same things; the
message length limit, so the widget's counter and the server agree; and the photo and video
size limits, so a file too large is refused before it is uploaded (the server still checks).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from handoff.texts import widget_texts
from store.settings import get_settings
from store.transcript import MAX_MESSAGE_CHARS

WIDGET_JS = Path(__file__).resolve().parents[2] / "static" / "widget.js"
TEXTS_MARKER = "{/* CUSTOMER_TEXTS */}"
LIMIT_MARKER = "/* MAX_MESSAGE_CHARS */ 4000"  # the widget counts against the server's limit
FILE_LIMITS_MARKER = "/* ATTACHMENT_MAX_BYTES */ { image: 10485760, video: 16777216 }"


def widget_script() -> str:
    # The limits are settings: filled in per request, so a changed setting is served at once.
    return _script_with_texts().replace(FILE_LIMITS_MARKER, json.dumps(file_limits()))


@lru_cache(maxsize=1)
def _script_with_texts() -> str:
    script = WIDGET_JS.read_text(encoding="utf-8")
    for marker in (TEXTS_MARKER, LIMIT_MARKER, FILE_LIMITS_MARKER):
        if marker not in script:
            raise RuntimeError(f"{WIDGET_JS} lost its {marker} marker")
    return (script.replace(TEXTS_MARKER, json.dumps(widget_texts(), ensure_ascii=False))
            .replace(LIMIT_MARKER, str(MAX_MESSAGE_CHARS)))


def file_limits() -> dict[str, int]:
    """The largest photo and video in bytes, as store.attachments enforces them."""
    limits = get_settings().attachments
    return {kind: limits.max_bytes(kind) for kind in ("image", "video")}
