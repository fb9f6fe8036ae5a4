"""Personal data masked in ops views and exports."""

from __future__ import annotations

import pytest

from handoff.redaction import luhn_valid, redact_json, redact_text


@pytest.mark.parametrize("text,expected", [
    ("email saya budi.s@example.co.id ya", "email saya [email] ya"),
    ("hubungi 0812-3456-7890 atau +62 812 3456 7890", "hubungi [phone] atau [phone]"),
    ("kartu 4111 1111 1111 1111 kemarin", "kartu [card] kemarin"),
    ("card 5500-0000-0000-0004", "card [card]"),
    ("kirim ke Jl. Melati Indah No. 5, Bandung", "kirim ke [address], Bandung"),
    ("alamat jalan mawar no 12A", "alamat [address]"),
    ("Jalan Sudirman Kav 52", "[address]"),
    ("ship to 221B Baker Street, London", "ship to [address], London"),
    ("my address is 123 main st.", "my address is [address]"),
])
def test_personal_data_is_replaced_by_labels(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "pesanan ORD-583920 sudah jalan belum?",
    "I ordered 3 items on the way",
    "4111 1111 1111 1112 fails the Luhn check",
    "total Rp 1.250.000",
    '<script>alert("x")</script>',
])
def test_ordinary_text_is_left_alone(text):
    assert redact_text(text) == text


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_json_redaction_masks_personal_fields_but_not_products_or_ids():
    value = {
        "id": "conv-1", "created_at": "2026-11-23T12:00:00+00:00",
        "customer": {"id": 1, "name": "Siti", "email": "siti@example.com",
                     "phone": "+6281234567890", "wa_id": "6281234567890"},
        "messages": [{"text": "nomor saya 081234567890", "sender": "customer"}],
        "context": {"order": {"customer_name": "Siti", "shipping_address": "Jl. Kenanga 1",
                              "items": [{"name": "Batik shirt", "qty": 1}]}},
    }
    masked = redact_json(value)
    assert masked["customer"] == {"id": 1, "name": "[name]", "email": "[email]",
                                  "phone": "[phone]", "wa_id": "[phone]"}
    assert masked["messages"][0]["text"] == "nomor saya [phone]"
    assert masked["context"]["order"]["customer_name"] == "[name]"
    assert masked["context"]["order"]["shipping_address"] == "[address]"
    assert masked["context"]["order"]["items"][0]["name"] == "Batik shirt"
    assert masked["id"] == "conv-1" and masked["created_at"] == value["created_at"]
    assert value["customer"]["email"] == "siti@example.com"  # the input is not changed
