"""Language detection on short, informal chat messages."""

from __future__ import annotations

import pytest

from nlu.language import detect_language


@pytest.mark.parametrize(
    "text",
    ["kak pesanan aku udah dikirim belum?", "min gak bisa login nih", "makasih ya kak",
     "barangnya kapan sampai", "bisa bayar pake gopay?", "tolong batalin pesanan saya",
     "halo kak", "iya", "tidak"],
)
def test_informal_indonesian_is_indonesian(text):
    assert detect_language(text) == "id"


@pytest.mark.parametrize(
    "text",
    ["where is my order?", "can I pay with GoPay?", "thanks!", "I want to cancel my order",
     "my package hasnt arrived kak", "hi", "how long does shipping take to Medan"],
)
def test_english_is_english_even_with_a_loanword(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["ok", "583920", "ORD-583920", "👍", "", "budi@mail.com",
                                  "salah@example.com", "https://tokonusa.id/help", "+62 812 3456"])
def test_messages_without_evidence_are_undecided(text):
    assert detect_language(text) is None
