"""Language detection on short, informal chat messages."""

from __future__ import annotations

import pytest

from nlu.language import choose_language, detect_language


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


@pytest.mark.parametrize(
    "data",
    ["Jl. Kebon Jeruk Raya No. 27, Kebon Jeruk, Jakarta Barat 11530",
     "Perumahan Griya Asri Blok C2 no 14, Sidoarjo", "Budi Santoso", "Siti Rahmawati",
     "ok", "ya", "sip", "iya kak", "👍", "0812 3456 7890", "budi.santoso@example.com",
     "ORD-583920", "583920"],
)
def test_data_and_one_word_replies_never_switch_an_english_conversation(data):
    assert choose_language(data, "en", None, "id") == "en"


@pytest.mark.parametrize("data", ["Jalan Sudirman Kav 52-53, Jakarta", "John Smith", "ok",
                                  "thank you", "yes", "jane@example.com"])
def test_data_and_short_replies_never_switch_an_indonesian_conversation(data):
    assert choose_language(data, "id", None, "id") == "id"


def test_a_clear_sentence_in_the_other_language_switches():
    assert choose_language("kak pesanan saya sudah dikirim belum ya?", "en", None, "id") == "id"
    assert choose_language("sorry, can you answer in English please?", "id", None, "id") == "en"


def test_answers_to_a_data_question_never_switch_even_when_they_read_like_a_sentence():
    address = "di rumah ibu saya, Jl. Melati 5 dekat masjid"
    assert choose_language(address, "en", None, "id", collecting_data=True) == "en"
    assert choose_language(address, "en", None, "id") == "id"  # outside a data question


def test_the_first_message_sets_the_language_even_when_short():
    assert choose_language("halo kak", None, "en", "en") == "id"
    assert choose_language("hello", None, "id", "id") == "en"
    assert choose_language("583920", None, "en", "id") == "en"  # no evidence: the hint
