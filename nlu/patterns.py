"""Order numbers, emails and phone numbers: spaCy EntityRuler patterns plus normalisers.

The pipeline is built from spaCy's blank Indonesian language in code, so no model is
downloaded or committed. Indonesian tokenisation also handles English text here.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

ORDER_ID_RE = re.compile(r"^(?:(?:ord|order)?\s*[-#:]?\s*)(\d{6})$", re.IGNORECASE)
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_CHARS_RE = re.compile(r"[\s().-]")

# Token patterns. Six digits on their own are an order number too ("pesanan 583920 udah
# dikirim?"): customers rarely type the ORD- prefix. Amounts ("Rp 250000") are not, and a
# longer phone-number match wins over its six-digit part.
_MONEY_WORDS = {"rp", "rp.", "idr", "rupiah", "harga", "seharga", "total", "biaya", "ongkir",
                "sebesar", "senilai", "price", "cost", "costs", "budget", "spend", "pay", "paid",
                "bayar", "dibayar", "transfer", "tf"}
_ENTITY_PATTERNS = [
    {"label": "order_id", "pattern": [{"TEXT": {"REGEX": r"^\d{6}$"}}]},
    {"label": "order_id", "pattern": [{"TEXT": {"REGEX": r"^(?i:ord(?:er)?-?\d{6})$"}}]},
    {
        "label": "order_id",
        "pattern": [{"LOWER": {"IN": ["ord", "order"]}}, {"TEXT": "-", "OP": "?"},
                    {"TEXT": {"REGEX": r"^\d{6}$"}}],
    },
    {"label": "order_id", "pattern": [{"TEXT": {"REGEX": r"^#\d{6}$"}}]},
    {"label": "order_id", "pattern": [{"TEXT": "#"}, {"TEXT": {"REGEX": r"^\d{6}$"}}]},
    {"label": "email", "pattern": [{"LIKE_EMAIL": True}]},
    # +62 812-3456-7890, 0812 3456 7890, 6281234567890, (021) 555-1234 ...
    {
        "label": "phone",
        "pattern": [{"TEXT": {"REGEX": r"^\+?\d{9,15}$"}}],
    },
    {
        "label": "phone",
        "pattern": [
            {"TEXT": {"REGEX": r"^(\+\d{1,3}|0\d{2,4}|62\d{0,3}|\(\d{2,4}\))$"}},
            {"TEXT": {"REGEX": r"^[-.]$"}, "OP": "?"},
            {"TEXT": {"REGEX": r"^\d{2,6}$"}},
            {"TEXT": {"REGEX": r"^[-.]$"}, "OP": "?"},
            {"TEXT": {"REGEX": r"^\d{2,6}$"}},
            {"TEXT": {"REGEX": r"^[-.]$"}, "OP": "?"},
            {"TEXT": {"REGEX": r"^\d{2,5}$"}, "OP": "?"},
        ],
    },
    {
        "label": "phone",
        "pattern": [
            {"TEXT": {"REGEX": r"^(\+\d{1,3}|0\d{2,4}|62\d{1,3})$"}},
            {"TEXT": {"REGEX": r"^\d{7,11}$"}},
        ],
    },
]


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    text: str
    value: str


_building = threading.Lock()


def shop_nlp() -> Language:
    """Blank Indonesian tokenizer with the shop's EntityRuler (built once per process).

    spaCy is imported there, not at module level: it pulls in TensorFlow (seconds, hundreds
    of MB), which processes that only normalise text should not pay for. The gateway's worker
    threads may ask for it at the same moment: one builds it, the others wait for that one.
    """
    with _building:
        return _build_shop_nlp()


@lru_cache(maxsize=1)
def _build_shop_nlp() -> Language:
    import spacy

    nlp = spacy.blank("id")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(_ENTITY_PATTERNS)
    return nlp


def normalise_order_id(text: str) -> str | None:
    """'ord 583920', '#583920', '583920', 'ORD-583920' -> 'ORD-583920'; else None."""
    match = ORDER_ID_RE.match(text.strip())
    return f"ORD-{match.group(1)}" if match else None


def normalise_email(text: str) -> str | None:
    candidate = text.strip().strip(".,;:!?").lower()
    return candidate if len(candidate) <= 254 and EMAIL_RE.match(candidate) else None


def normalise_phone(text: str, default_country: str = "62") -> str | None:
    """Indonesian and international numbers to E.164: '0812-3456-7890' -> '+6281234567890'."""
    digits = _PHONE_CHARS_RE.sub("", text.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = default_country + digits[1:]
    elif digits.startswith("8") and 9 <= len(digits) <= 12:
        digits = default_country + digits  # "812..." typed without the leading zero
    if not digits.isdigit() or not 10 <= len(digits) <= 15:
        return None
    return "+" + digits


_NORMALISERS = {"order_id": normalise_order_id, "email": normalise_email, "phone": normalise_phone}


def find_entities(text: str) -> list[Entity]:
    """Every order number, email and phone in `text`, with canonical values."""
    doc = shop_nlp()(text)
    found = []
    for span in doc.ents:
        if span.label_ == "order_id" and span.start > 0 and (
                doc[span.start - 1].lower_ in _MONEY_WORDS):
            continue
        value = _NORMALISERS[span.label_](span.text)
        if value:
            found.append(Entity(span.label_, span.start_char, span.end_char, span.text, value))
    return found
