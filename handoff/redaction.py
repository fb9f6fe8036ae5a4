"""Masks personal data in every view of customer data: the inbox, ops pages and exports.

Emails and phone numbers come from the shop's own spaCy EntityRuler (nlu.patterns), so the
inbox, the bot and the redaction agree on what a phone number is; the spellings it does not
read as one (dotted mobiles, landlines with an area code) are matched here as well. Card
numbers are digit runs that pass the Luhn check; Indonesian ID (NIK, 16 digits) and tax
(NPWP, 15 digits or 12.345.678.9-012.345) numbers by their shape. Street addresses are
matched with Indonesian ("Jl. Melati No. 5", "Gg. Mawar", "Perum Griya Asri Blok C2",
"RT 03/RW 05") and English ("123 Main Street") patterns, and names where the customer
introduces themself ("nama saya …", "Saya Budi", "my name is …", "this is Budi").

Order numbers (ORD-123456, 6 digits), prices (Rp 1.200.000) and dates are left alone:
every digit pattern here needs a phone prefix, an exact length or a street word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from nlu.patterns import find_entities

EMAIL, PHONE, CARD, ADDRESS, NAME = "[email]", "[phone]", "[card]", "[address]", "[name]"
NIK, NPWP = "[nik]", "[npwp]"

_CARD_RE = re.compile(r"(?<![\d+])\d(?:[ -]?\d){12,18}(?!\d)")
_ID_ADDRESS_RE = re.compile(
    # With a house number the street name may be written in any case: "jl melati no 5".
    r"\b(?i:jl|jln|jalan)\b\.?\s+[^\n,;]{1,60}?\b(?i:no|nomor|nomer)\b\.?\s*\d+[A-Za-z]?(?:[/-]\d+)?"
    # Without one, "Jl." is unambiguous but "jalan" is also a verb: require a capital name.
    r"|\b(?i:jl|jln)\.?\s+[A-Za-z0-9][\w'-]*(?:\s+[A-Z0-9][\w'-]*){0,4}"
    r"|\bJalan\s+[A-Z][\w'-]*(?:\s+[A-Z0-9][\w'-]*){0,4}"
)
# Street forms without "Jl.": alleys, housing estates, blocks, RT/RW.
_PLACE_WORD = r"(?!(?:No|Nomor|Blok|RT|RW)\b)[A-Z0-9][\w'-]*"
_ID_AREA_RE = re.compile(
    r"\b(?i:gg|gang|komp|komplek|kompleks|perum|perumahan)\b\.?\s+"
    + _PLACE_WORD + r"(?:\s+" + _PLACE_WORD + r"){0,4}"
    + r"|\b(?i:blok)\s+[A-Z]{0,2}\d{0,3}[A-Z]?(?:[/-]\d{1,4})?\b(?<=\w)"
    + r"|\b(?i:rt)\.?\s*\d{1,3}\s*/?\s*(?i:rw)\.?\s*\d{1,3}\b"
)
# "No. 5" is part of an address only next to one ("Gg. Mawar No. 5"); alone it is any number.
_HOUSE_NUMBER_RE = re.compile(r"\b(?i:no|nomor|nomer)\b\.?\s?\d{1,4}[A-Za-z]?(?:[/-]\d{1,4})?\b")
_ADDRESS_GAP = re.compile(r"[\s,]*")
_EN_ADDRESS_RE = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Za-z][\w'.-]*\s+){1,4}"
    r"(?:(?i:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|highway|hwy)"
    r"|Way|Court|Ct|Place|Pl|Dr|Terrace)\b\.?"
)
_MIN_PHONE_DIGITS = 8
# Phones the entity ruler does not read: 0812.3456.7890, (021) 555-1234, +62 21 5551234.
_PHONE_RE = re.compile(
    r"(?<![\w+.,/-])(?:\+62|62|0)[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,5}){1,3}(?![\w.,/-]*\d)"
    r"|\(0\d{1,3}\)\s?\d{3,4}[ .-]?\d{3,5}\b"
)
_PHONE_DIGITS = range(9, 15)
_AFTER_CURRENCY = re.compile(r"(?i:rp|idr|usd)\.?\s*$")
# NIK: 16 digits; NPWP: 15 digits, often written 12.345.678.9-012.345.
_NIK_RE = re.compile(r"(?<![\w.-])[1-9]\d(?:[ .]?\d){14}(?![\w-]|[.,]\d)")
# Indonesia's province codes (Sumatra 11-19, Java 31-36, Bali/Nusa Tenggara 51-53, ...).
_PROVINCES = {*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66),
              *range(71, 77), 81, 82, *range(91, 97)}
_NPWP_RE = re.compile(r"(?<![\w.-])(?:\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}|\d{15})(?![\w-]|[.,]\d)")
# The customer introducing themself: the name is what follows.
_NAME_WORD = r"[A-Z][a-z'][\w'-]*"
_NAMED_RE = re.compile(
    # Said outright, the name may be written in any case: "nama saya budi santoso".
    r"\b(?i:nama\s+(?:saya|aku|sy|ku|lengkap(?:\s+saya)?)|namaku|my\s+name\s+is|my\s+name's)"
    r"\s*(?i:adalah|ialah|:)?\s+(?P<any>[A-Za-z][\w'-]*(?:\s+(?!(?i:dan|mau|ingin|yang|and|"
    r"from|dari|di|ya|kak|min)\b)[A-Za-z][\w'-]*){0,3})"
    # Only implied ("Saya Budi", "this is Rina"): capitalised words that are not common ones.
    r"|\b(?i:saya|aku|this\s+is|i\s+am|i'm)\s+(?P<capital>(?!" + "|".join(
        ("Mau", "Ingin", "Sudah", "Belum", "Tidak", "Nggak", "Gak", "Mohon", "Minta", "Cuma",
         "Juga", "Masih", "Lagi", "Sedang", "Bisa", "Perlu", "Pesan", "Beli", "Order", "Kak",
         "Not", "Just", "Also", "Still", "Looking", "Trying", "Waiting", "Here", "Sorry",
         "The", "It", "My", "Your", "Very", "So", "Really", "About", "Interested"))
    + r")\b" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,3})"
)

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
    """Street, area, block and RT/RW matches (and house numbers beside them), parts that
    follow each other joined into one [address]."""
    found = sorted((match.start(), match.end())
                   for pattern in (_ID_ADDRESS_RE, _ID_AREA_RE, _EN_ADDRESS_RE)
                   for match in pattern.finditer(text))
    numbers = [(match.start(), match.end()) for match in _HOUSE_NUMBER_RE.finditer(text)]
    found += [number for number in numbers if any(
        _adjacent(text, part, number) or _adjacent(text, number, part) for part in found)]
    joined: list[list[int]] = []
    for start, end in sorted(found):
        if joined and (start <= joined[-1][1] or _adjacent(text, joined[-1], (start, end))):
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    for start, end in joined:
        yield start, end, ADDRESS


def _adjacent(text: str, first: Sequence[int], second: Sequence[int]) -> bool:
    """Only spaces and commas between the end of `first` and the start of `second`."""
    return first[1] <= second[0] and _ADDRESS_GAP.fullmatch(text, first[1], second[0]) is not None


def nik_shaped(digits: str) -> bool:
    """A NIK: province code, regency, district, birth day (+40 for women), month, year,
    serial. Any 16-digit number that does not fit (e.g. a card failing Luhn) is left."""
    province, day, month = int(digits[:2]), int(digits[6:8]), int(digits[8:10])
    return province in _PROVINCES and (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def _id_number_spans(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _NIK_RE.finditer(text):
        if nik_shaped(re.sub(r"\D", "", match.group())):
            yield match.start(), match.end(), NIK
    for match in _NPWP_RE.finditer(text):
        yield match.start(), match.end(), NPWP


def _phone_spans(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _PHONE_RE.finditer(text):
        digits = sum(char.isdigit() for char in match.group())
        if digits in _PHONE_DIGITS and not _AFTER_CURRENCY.search(text[:match.start()]):
            yield match.start(), match.end(), PHONE


def _name_spans(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _NAMED_RE.finditer(text):
        group = "any" if match.group("any") else "capital"
        yield match.start(group), match.end(group), NAME


def redact_text(text: str | None) -> str | None:
    """`text` with emails, phones, card numbers and street addresses replaced by labels."""
    if not text:
        return text
    # Cards before NIK and phones: a 16-digit card also looks like either.
    spans = [*_card_spans(text), *_id_number_spans(text), *_address_spans(text),
             *_entity_spans(text), *_phone_spans(text), *_name_spans(text)]
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


__all__ = ["ADDRESS", "CARD", "EMAIL", "NAME", "NIK", "NPWP", "PHONE", "luhn_valid", "nik_shaped",
           "redact_json", "redact_text"]
