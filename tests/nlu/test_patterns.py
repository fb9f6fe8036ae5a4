"""Order numbers, emails and phones found by the spaCy EntityRuler, with canonical values."""

from __future__ import annotations

import pytest

from nlu.patterns import find_entities, normalise_email, normalise_phone


def found(text: str) -> list[tuple[str, str, str]]:
    return [(e.entity, e.text, e.value) for e in find_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is ORD-583920?", [("order_id", "ORD-583920", "ORD-583920")]),
        ("ord 583920 udah dikirim?", [("order_id", "ord 583920", "ORD-583920")]),
        ("pesanan #583920 kak", [("order_id", "#583920", "ORD-583920")]),
        ("order583920", [("order_id", "order583920", "ORD-583920")]),
        ("pesanan 583920 udah sampe mana", [("order_id", "583920", "ORD-583920")]),
        ("where is my order 583920", [("order_id", "order 583920", "ORD-583920")]),
        ("my parcel 583920 is late", [("order_id", "583920", "ORD-583920")]),
        ("harga 150000 ya", []),
        ("is Rp 250000 enough for free shipping", []),
        ("ORD-58392", []),
        ("kode pos 12345", []),
        ("hp 0812 345678 90", [("phone", "0812 345678 90", "+6281234567890")]),
    ],
)
def test_order_numbers_with_or_without_prefix_but_never_amounts(text, expected):
    assert found(text) == expected


def test_email_and_phone_in_one_informal_message():
    text = "email aku Rina.W@Example.com, hp 0811-2233-4455 ya kak"
    assert found(text) == [
        ("email", "Rina.W@Example.com", "rina.w@example.com"),
        ("phone", "0811-2233-4455", "+6281122334455"),
    ]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
     ("6281234567890", "+6281234567890"), ("(0812) 3456 7890", "+6281234567890"),
     ("812 3456 7890", "+6281234567890"), ("+65 9123 4567", "+6591234567"),
     ("0062 812 3456 7890", "+6281234567890"), ("12345", None), ("0812-ABCD", None),
     ("+1 (415) 555-0100", "+14155550100")],
)
def test_phone_numbers_normalise_to_e164(typed, e164):
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize("bad", ["budi@", "@x.com", "budi at mail dot com", "a@b", "x" * 300])
def test_bad_emails_are_rejected(bad):
    assert normalise_email(bad) is None


@pytest.mark.parametrize("text", ["", " ", "🙂" * 50, "x" * 20_000, "'; DROP TABLE orders; --"])
def test_odd_input_finds_nothing_and_never_crashes(text):
    assert found(text) == []
