"""The catalog of customer-facing texts: one file per language (id.yml, en.yml) with the same
keys, used by the conversation flow, the channels and the chat widget (served inside
widget.js). A wording change or a new language is one file here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("id", "en")
FALLBACK_LANGUAGE = "id"  # what an unknown or missing language gets


@lru_cache(maxsize=len(LANGUAGES))
def catalog(language: str) -> dict[str, dict[str, str]]:
    """Every text of one language, by section ("conversation", "web", "whatsapp", "widget")."""
    with (TEXTS_DIR / f"{language}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def supported(language: str | None) -> str:
    """`language` when the catalog has it, else the fallback."""
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def customer_text(key: str, language: str | None, **values: Any) -> str:
    """The text at "section.name" in the customer's language, placeholders filled in."""
    section, name = key.split(".", 1)
    text = catalog(supported(language))[section][name]
    return text.format(**values) if values else text


def widget_texts() -> dict[str, dict[str, str]]:
    """The widget's texts in every language, as the widget script receives them."""
    return {language: catalog(language)["widget"] for language in LANGUAGES}
