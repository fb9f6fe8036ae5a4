"""Masks personal data in every view of customer data: the inbox, ops pages and exports.

Emails and phone numbers come from the shop's own spaCy EntityRuler (nlu.patterns), so the
inbox, the bot and the redaction agree on what a phone number is. Card numbers are digit runs
that pass the Luhn check; street addresses are matched with Indonesian ("Jl. Melati No. 5")
and English ("123 Main Street") patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nlu.patterns import find_entities

EMAIL, PHONE, CARD, ADDRESS, NAME = "[email]", "[phone]", "[card]", "[address]", "[name]"

_CARD_RE = re.compile(r"(?<![\d+])\d(?:[ -]?\d){12,18}(?!\d)")
_ID_ADDRESS_RE = re.compile(
    # With a house number the street name may be written in any case: "jl melati no 5".
    r"\b(?i:jl|jln|jalan)\b\.?\s+[^\n,;]{1,60}?\b(?i:no|nomor|nomer)\b\.?\s*\d+[A-Za-z]?(?:[/-]\d+)?"
    # Without one, "Jl." is unambiguous but "jalan" is also a verb: require a capital name.
    r"|\b(?i:jl|jln)\.?\s+[A-Za-z0-9][\w'-]*(?:\s+[A-Z0-9][\w'-]*){0,4}"
    r"|\bJalan\s+[A-Z][\w'-]*(?:\s+[A-Z0-9][\w'-]*){0,4}"
)
_EN_ADDRESS_RE = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Za-z][\w'.-]*\s+){1,4}"
    r"(?:(?i:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|highway|hwy)"
    r"|Way|Court|Ct|Place|Pl|Dr|Terrace)\b\.?"
)
_MIN_PHONE_DIGITS = 8

# Fields that are personal data as a whole, whatever their content.
_PII_KEYS = {"email": EMAIL, "phone": PHONE, "wa_id": PHONE, "shipping_address": ADDRESS,
             "customer_name": NAME}
# Free-text fields that may contain personal data; other strings (ids, times) are left alone.
_TEXT_KEYS = {"text", "summary", "comment", "preview", "details", "order_request", "transcript"}


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_spans(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # Phone numbers start with 0 or +; cards never do.
        if 13 <= len(digits) <= 19 and not digits.startswith("0") and luhn_valid(digits):
            yield match.start(), match.end(), CARD


def _entity_spans(text: str) -> Iterable[tuple[int, int, str]]:
    # spaCy is the slow part; skip it when no email or phone can be in the text.
    if "@" not in text and sum(char.isdigit() for char in text) < _MIN_PHONE_DIGITS:
        return
    for entity in find_entities(text):
        if entity.entity == "email":
            yield entity.start, entity.end, EMAIL
        elif entity.entity == "phone":
            yield entity.start, entity.end, PHONE


def _address_spans(text: str) -> Iterable[tuple[int, int, str]]:
    for pattern in (_ID_ADDRESS_RE, _EN_ADDRESS_RE):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), ADDRESS


def redact_text(text: str | None) -> str | None:
    """`text` with emails, phones, card numbers and street addresses replaced by labels."""
    if not text:
        return text
    # Cards before phones: a 16-digit card also looks like a long phone number.
    spans = [*_card_spans(text), *_address_spans(text), *_entity_spans(text)]
    if not spans:
        return text
    kept: list[tuple[int, int, str]] = []
    for start, end, label in spans:  # first detector wins on overlaps
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, label))
    out, cursor = [], 0
    for start, end, label in sorted(kept):
        out.append(text[cursor:start])
        out.append(label)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def redact_json(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON-like value with personal fields masked and free texts redacted."""
    if isinstance(value, dict):
        masked = {k: redact_json(v, k) for k, v in value.items()}
        if key == "customer" and masked.get("name"):  # "name" elsewhere is a product
            masked["name"] = NAME
        return masked
    if isinstance(value, list):
        return [redact_json(item, key) for item in value]
    if value is None or key is None:
        return value
    if key in _PII_KEYS:
        return _PII_KEYS[key]
    if key in _TEXT_KEYS and isinstance(value, str):
        return redact_text(value)
    return value


__all__ = ["ADDRESS", "CARD", "EMAIL", "NAME", "PHONE", "luhn_valid", "redact_json", "redact_text"]
