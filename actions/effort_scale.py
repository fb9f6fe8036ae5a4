"""Reading a Customer Effort Score (1 = very difficult … 7 = very easy) from a reply.

Accepts digits ("6", "nilai 6", "6/7"), and words in both languages ("gampang banget",
"very hard"). Anything else is None: the survey asks once more, then lets go.
"""

from __future__ import annotations

import re

# Longest phrases first so "agak susah" wins over "susah".
_PHRASES: list[tuple[str, int]] = sorted(
    [
        ("sangat sulit", 1), ("sangat susah", 1), ("susah banget", 1), ("sulit banget", 1),
        ("ribet banget", 1), ("parah", 1), ("very difficult", 1), ("very hard", 1),
        ("extremely hard", 1), ("extremely difficult", 1), ("terrible", 1),
        ("sulit", 2), ("susah", 2), ("ribet", 2), ("difficult", 2), ("hard", 2),
        ("agak sulit", 3), ("agak susah", 3), ("agak ribet", 3), ("lumayan susah", 3),
        ("a bit hard", 3), ("a bit difficult", 3), ("somewhat difficult", 3),
        ("kinda hard", 3), ("bit difficult", 3),
        ("biasa", 4), ("biasa aja", 4), ("lumayan", 4), ("netral", 4), ("so so", 4),
        ("so-so", 4), ("neutral", 4), ("okay", 4), ("ok", 4), ("not bad", 4), ("average", 4),
        ("cukup mudah", 5), ("agak mudah", 5), ("lumayan mudah", 5), ("lumayan gampang", 5),
        ("fairly easy", 5), ("quite easy", 5), ("somewhat easy", 5), ("pretty easy", 5),
        ("mudah", 6), ("gampang", 6), ("easy", 6), ("simple", 6), ("lancar", 6),
        ("sangat mudah", 7), ("mudah banget", 7), ("gampang banget", 7), ("gampang bgt", 7),
        ("mudah bgt", 7), ("very easy", 7), ("super easy", 7), ("really easy", 7),
        ("so easy", 7), ("extremely easy", 7), ("sangat gampang", 7),
    ],
    key=lambda item: -len(item[0]),
)
_DIGIT = re.compile(r"(?<![\d.,])([1-7])(?![\d.,]?\d)")
_OUT_OF_SEVEN = re.compile(r"\s*(/|dari|out of)\s*7\b")
_SKIP = re.compile(r"^\s*(/stop|/deny|skip|lewati|lewat|ga(k)? usah|nggak usah|no thanks?|nope)\b",
                   re.IGNORECASE)


def parse_effort_score(text: str) -> int | None:
    cleaned = " ".join((text or "").lower().split())
    if not cleaned:
        return None
    digits = set(_DIGIT.findall(_OUT_OF_SEVEN.sub(" ", cleaned)))
    if len(digits) == 1:
        return int(digits.pop())
    if digits:
        return None  # "between 5 and 6" is not one answer
    padded = f" {re.sub(r'[^a-z -]', ' ', cleaned)} "
    for phrase, score in _PHRASES:
        if f" {phrase} " in padded:
            return score
    return None


def is_skip(text: str) -> bool:
    return bool(_SKIP.match(text or ""))
