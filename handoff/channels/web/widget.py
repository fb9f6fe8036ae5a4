"""The chat widget's script, served with the customer texts of every language inside it.

widget.js holds no wording of its own: the gateway fills in handoff/texts/*.yml when it
serves the file, so the widget, the gateway and the other channels say the same things.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from handoff.texts import widget_texts

WIDGET_JS = Path(__file__).resolve().parents[2] / "static" / "widget.js"
TEXTS_MARKER = "{/* CUSTOMER_TEXTS */}"


@lru_cache(maxsize=1)
def widget_script() -> str:
    script = WIDGET_JS.read_text(encoding="utf-8")
    if TEXTS_MARKER not in script:
        raise RuntimeError(f"{WIDGET_JS} lost its {TEXTS_MARKER} marker")
    return script.replace(TEXTS_MARKER, json.dumps(widget_texts(), ensure_ascii=False))
