"""Property tests: the parsers that read what customers type never crash and stay in bounds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.effort_scale import parse_effort_score
from actions.order_form import order_id_in
from nlu.patterns import normalise_order_id, normalise_phone
from store.transcript import MAX_MESSAGE_CHARS, InvalidMessage, clean_text

ORDER_ID = re.compile(r"^ORD-\d{6}$")
E164 = re.compile(r"^\+\d{10,15}$")
WHITESPACE = st.text(alphabet=" \t\n\r\x0b\x0c\u00a0\u2003\u3000", max_size=50)
# Text that looks like what people type for orders and phones, plus anything at all.
DIGITY = st.text(alphabet="0123456789 +-()#.ORDord:", max_size=40)
ANY_TEXT = st.one_of(st.text(max_size=300), DIGITY)


@given(st.one_of(st.text(max_size=MAX_MESSAGE_CHARS + 50), st.none(), st.integers(),
                 st.binary(max_size=20), st.lists(st.text(max_size=5), max_size=3)))
def test_clean_text_accepts_or_refuses_and_never_crashes_otherwise(value):
    try:
        cleaned = clean_text(value)
    except InvalidMessage as error:
        assert error.error in ("invalid", "too_long")
        return
    assert isinstance(value, str)
    assert 1 <= len(cleaned) <= MAX_MESSAGE_CHARS
    # NUL characters are dropped (PostgreSQL cannot store them), so compare without them.
    assert cleaned == cleaned.strip() and cleaned in value.replace("\x00", "")


@given(WHITESPACE)
def test_whitespace_only_messages_are_refused(value):
    with pytest.raises(InvalidMessage):
        clean_text(value)


def _visible(text: str) -> str:
    return text.replace("\x00", "").strip()  # NUL is dropped: PostgreSQL cannot store it


@given(st.text(min_size=1, max_size=30).filter(_visible), WHITESPACE, WHITESPACE)
def test_surrounding_whitespace_and_nul_are_trimmed(core, before, after):
    assert clean_text(before + core + after) == _visible(core)


@settings(deadline=None)  # the first call loads the spaCy pipeline of find_entities
@given(ANY_TEXT)
def test_normalised_order_ids_are_canonical_or_none(text):
    for value in (normalise_order_id(text), order_id_in(text)):
        assert value is None or ORDER_ID.match(value)


@given(st.from_regex(r"\A\d{6}\Z"), st.sampled_from(["", "ORD-", "ord ", "#", "order:"]))
def test_every_spelling_of_an_order_number_gives_the_same_id(digits, prefix):
    assert normalise_order_id(prefix + digits) == f"ORD-{digits}"


@given(ANY_TEXT)
def test_normalised_phones_are_e164_or_none(text):
    value = normalise_phone(text)
    assert value is None or E164.match(value)


@given(st.from_regex(r"\A8\d{8,11}\Z"))
def test_indonesian_mobile_numbers_get_the_country_code(number):
    assert normalise_phone("0" + number) == "+62" + number


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.from_regex(r"\A.{0,20}[0-9].{0,20}\Z")))
def test_effort_score_is_none_or_one_to_seven(text):
    score = parse_effort_score(text)
    assert score is None or (isinstance(score, int) and 1 <= score <= 7)


@given(st.integers(min_value=1, max_value=7))
def test_a_lone_score_is_read_back(score):
    assert parse_effort_score(str(score)) == score
