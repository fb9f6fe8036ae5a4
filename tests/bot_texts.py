"""What the bot says for a dispatched response: domain.yml's text for the conversation's
language with the action's variables filled in, as Rasa's templated NLG does."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"


@lru_cache(maxsize=1)
def _responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]


def bot_text(response: str, language: str, **variables: Any) -> str:
    """The variant whose `language` slot condition matches, else the unconditioned one."""
    variants = _responses()[response]
    chosen = next((v for v in variants if any(
        c.get("name") == "language" and c.get("value") == language
        for c in v.get("condition", []))), None)
    chosen = chosen or next(v for v in variants if not v.get("condition"))
    return chosen["text"].format(**variables)


def said(message: dict[str, Any], language: str) -> str:
    """The text of one CollectingDispatcher message."""
    variables = {k: v for k, v in message.items()
                 if k not in ("response", "text", "buttons", "elements", "custom",
                              "template", "image", "attachment", "json_message")}
    return message.get("text") or bot_text(message["response"], language, **variables)
