from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.orders.importer import COLUMNS, ImportFileError, import_orders, parse_items
from store.orders.lookup import find_order
from store.orders.models import Order, OrderStatus

ROOT = Path(__file__).resolve().parents[3]
HEADER = ",".join(COLUMNS)
GOOD_1 = (
    "ORD-700001,Siti Aminah,Siti.Aminah@Example.com,0812-3456-7001,shipped,"
    '"Kaos Polos x 2 @ 69.000; Topi Baseball x 1 @ 45000",183000,'
    '"Jl. Melati No. 3, Kebayoran Baru, Jakarta Selatan 12160",JNE,JNE0700001,'
    "2024-05-01T10:00:00+07:00,2024-05-03,"
)
GOOD_2 = (
    "ORD-700002,Budi Hartono,budi@example.com,+62 857 1234 5678,In Transit,"
    'Rice Cooker x 1 @ 299000,299000,"Jl. Dago No. 1\nBandung 40132",J&T,,2024-05-02 09:30,,'
)


def write_csv(tmp_path: Path, *lines: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count_orders(session) -> int:
    return session.execute(select(func.count()).select_from(Order)).scalar_one()


def test_good_rows_land_with_normalised_values(tmp_path, session):
    result = import_orders(write_csv(tmp_path, HEADER, GOOD_1, GOOD_2), session)
    session.commit()

    assert (result.created, result.updated, result.bad_rows) == (2, 0, [])
    order = find_order(session, "ORD-700001")
    assert order.email == "siti.aminah@example.com"
    assert order.phone == "+6281234567001"
    assert order.status == OrderStatus.shipped
    assert order.items == [
        {"name": "Kaos Polos", "qty": 2, "price": 69_000},
        {"name": "Topi Baseball", "qty": 1, "price": 45_000},
    ]
    assert order.total == 183_000
    assert order.placed_at == datetime(2024, 5, 1, 3, 0)  # UTC; SQLite drops the tzinfo
    assert order.estimated_delivery == date(2024, 5, 3)
    assert order.delivered_at is None
    second = find_order(session, "ORD-700002")
    assert second.status == OrderStatus.in_transit
    assert second.carrier == "J&T Express"
    assert second.tracking_number is None
    assert second.shipping_address == "Jl. Dago No. 1\nBandung 40132"
    assert second.placed_at == datetime(2024, 5, 2, 2, 30)  # no offset: Jakarta time


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (GOOD_1.replace("ORD-700001", "ORD-70000X"), "bad order_id 'ORD-70000X'"),
        (GOOD_1.replace("Siti.Aminah@Example.com", "siti@"), "bad email 'siti@'"),
        (GOOD_1.replace("0812-3456-7001", "12345"), "bad phone '12345'"),
        (GOOD_1.replace(",shipped,", ",lost,"), "unknown status 'lost'"),
        (GOOD_1.replace("2024-05-01T10:00:00+07:00", "01/05/2024"), "bad placed_at '01/05/2024'"),
        (GOOD_1.replace("2024-05-03", "2024-02-30"), "bad estimated_delivery '2024-02-30'"),
        (GOOD_1.replace(",183000,", ",-183000,"), "total must not be negative"),
        (GOOD_1.replace(",183000,", ",seratus,"), "bad total 'seratus'"),
        (GOOD_1.replace(",JNE,", ",Pos Indonesia,"), "unknown carrier 'Pos Indonesia'"),
        (GOOD_1.replace("Topi Baseball x 1 @ 45000", "Topi Baseball"), "bad item 'Topi Baseball'"),
        (GOOD_1.replace("Siti Aminah", ""), "customer_name is empty"),
        (GOOD_1 + ",extra", "expected 13 columns, found 14"),
        ("ORD-700001,Siti Aminah", "expected 13 columns, found 2"),
        (GOOD_1.replace("2024-05-03,", "2024-05-03,2024-04-01"), "delivered_at is before"),
        (GOOD_1.replace('12160",JNE', '12160"x,JNE'), "malformed CSV: ',' expected after"),
    ],
)
def test_bad_row_is_reported_with_its_line_and_skipped(tmp_path, session, row, reason):
    path = write_csv(tmp_path, HEADER, GOOD_2, row, GOOD_2.replace("700002", "700003"))

    result = import_orders(path, session)
    session.commit()

    assert len(result.bad_rows) == 1
    assert result.bad_rows[0].line == 4  # header, then GOOD_2 spans lines 2-3
    assert reason in result.bad_rows[0].reason
    assert result.created == 2
    assert {o.order_id for o in session.execute(select(Order)).scalars()} == {
        "ORD-700002",
        "ORD-700003",
    }


def test_several_bad_rows_are_all_reported_in_file_order(tmp_path, session):
    path = write_csv(
        tmp_path,
        HEADER,
        GOOD_1.replace(",shipped,", ",lost,"),
        "",
        GOOD_2,
        GOOD_1.replace("0812-3456-7001", "call me"),
        GOOD_1,
    )

    result = import_orders(path, session)

    assert [(bad.line, bad.reason.split(" '")[0]) for bad in result.bad_rows] == [
        (2, "unknown status"),
        (6, "bad phone"),
    ]
    assert result.imported == 2
    assert str(result.bad_rows[1]).startswith("line 6: bad phone")


def test_unclosed_quote_is_reported_with_the_lines_it_swallowed(tmp_path, session):
    plain = GOOD_2.replace('"Jl. Dago No. 1\nBandung 40132"', "Jl. Dago No. 1 Bandung")
    path = write_csv(tmp_path, HEADER, GOOD_1.replace(",JNE,", ',"JNE,'), plain, plain)

    result = import_orders(path, session)

    # The stray quote makes the rest of the file one record; that must be visible, not silent.
    assert result.imported == 0
    assert [str(bad) for bad in result.bad_rows] == [
        "line 2: malformed CSV: unexpected end of data (the record runs to line 4)"
    ]


def test_the_same_order_twice_in_one_file_is_reported(tmp_path, session):
    path = write_csv(tmp_path, HEADER, GOOD_1, GOOD_1.replace("ORD-", "#"))

    result = import_orders(path, session)

    assert result.created == 1
    assert [str(bad) for bad in result.bad_rows] == [
        "line 3: duplicate order_id ORD-700001 (first on line 2)"
    ]


def test_reimport_updates_orders_instead_of_duplicating(tmp_path, session):
    import_orders(write_csv(tmp_path, HEADER, GOOD_1, GOOD_2), session)
    session.commit()
    delivered = GOOD_1.replace(",shipped,", ",delivered,").replace(
        "2024-05-03,", "2024-05-03,2024-05-03T15:10:00+07:00"
    )

    result = import_orders(write_csv(tmp_path, HEADER, delivered, name="again.csv"), session)
    session.commit()
    session.expire_all()

    assert (result.created, result.updated) == (0, 1)
    assert count_orders(session) == 2
    order = find_order(session, "ORD-700001")
    assert order.status == OrderStatus.delivered
    assert order.delivered_at == datetime(2024, 5, 3, 8, 10)


def test_columns_may_come_in_any_order_and_with_a_bom(tmp_path, session):
    columns = list(COLUMNS)
    path = tmp_path / "excel.csv"
    swapped = GOOD_1.split(",", 2)  # order_id, customer_name, rest
    path.write_text(
        "\ufeff"
        + ",".join([columns[1], columns[0], *columns[2:]])
        + "\r\n"
        + ",".join([swapped[1], swapped[0], swapped[2]])
        + "\r\n",
        encoding="utf-8",
    )

    result = import_orders(path, session)

    assert result.created == 1 and not result.bad_rows
    assert find_order(session, "ORD-700001").customer_name == "Siti Aminah"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (HEADER.replace("email", "e_mail").encode() + b"\n" + GOOD_1.encode(), "incorrect header"),
        (GOOD_1.encode() + b"\n", "incorrect header"),  # header line missing
        (HEADER.replace(",", ";").encode() + b"\n", "semicolons"),
        (
            HEADER.encode() + b"\n" + GOOD_1.replace("Siti", "S\xefti").encode("latin-1") + b"\n",
            "not UTF-8 text (first bad byte on line 2)",
        ),
    ],
)
def test_unreadable_file_imports_nothing(tmp_path, session, content, message):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)

    with pytest.raises(ImportFileError, match=re.escape(message)):
        import_orders(path, session)
    assert count_orders(session) == 0


def test_missing_file_imports_nothing(tmp_path, session):
    with pytest.raises(ImportFileError, match="does not exist"):
        import_orders(tmp_path / "nope.csv", session)


def test_a_header_only_file_imports_nothing_without_error(tmp_path, session):
    result = import_orders(write_csv(tmp_path, HEADER), session)

    assert result.summary() == "imported 0 orders (0 new, 0 updated), skipped 0 bad rows"


def test_items_accept_thousand_separators_and_names_with_x():
    assert parse_items("Kabel USB x 2 x 2 @ Rp 1.500;  Box 3x3 x 1 @ 10000 ;") == [
        {"name": "Kabel USB x 2", "qty": 2, "price": 1_500},
        {"name": "Box 3x3", "qty": 1, "price": 10_000},
    ]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "store.orders.importer",
        *args,
        "--database-url",
        f"sqlite:///{tmp_path}/cli.db",
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def cli_order_count(tmp_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE name = 'orders'")
        if tables.fetchone() is None:
            return 0
        return connection.execute("SELECT COUNT(*) FROM orders").fetchone()[0]


def test_cli_exits_0_when_every_row_is_imported(tmp_path):
    done = run_cli(tmp_path, str(write_csv(tmp_path, HEADER, GOOD_1, GOOD_2)))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported 2 orders (2 new, 0 updated), skipped 0 bad rows"
    assert cli_order_count(tmp_path) == 2


def test_cli_reports_bad_rows_on_stderr_and_exits_1(tmp_path):
    path = write_csv(tmp_path, HEADER, GOOD_1, GOOD_1.replace("ORD-700001", "ORD-1' OR '1'='1"))

    done = run_cli(tmp_path, str(path))

    assert done.returncode == 1
    assert f"{path}: line 3: bad order_id" in done.stderr
    assert done.stdout.strip() == "imported 1 order (1 new, 0 updated), skipped 1 bad row"
    assert cli_order_count(tmp_path) == 1


@pytest.mark.parametrize("name", ["missing.csv", "latin1.csv"])
def test_cli_exits_2_and_imports_nothing_for_an_unreadable_file(tmp_path, name):
    (tmp_path / "latin1.csv").write_bytes(
        (HEADER + "\n" + GOOD_1 + "\n").replace("Siti", "S\xefti").encode("latin-1")
    )

    done = run_cli(tmp_path, str(tmp_path / name))

    assert done.returncode == 2
    assert "Nothing was imported" in done.stderr
    assert done.stdout == ""
    assert cli_order_count(tmp_path) == 0


def test_the_documented_example_imports_cleanly(tmp_path, session):
    doc = (ROOT / "docs" / "orders-csv.md").read_text(encoding="utf-8")
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")

    result = import_orders(path, session)

    assert result.bad_rows == []
    assert result.created == 4
    assert find_order(session, "ORD-700003").items == [
        {"name": "Sprei Katun Jepang 160x200", "qty": 1, "price": 185_000}
    ]


def test_a_failure_half_way_leaves_nothing_imported(tmp_path, engine, monkeypatch):
    from store.db import session_scope
    from store.orders import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 1)
    real_upsert, calls = importer._upsert, []

    def upsert_then_crash(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        real_upsert(*args)

    monkeypatch.setattr(importer, "_upsert", upsert_then_crash)
    path = write_csv(tmp_path, HEADER, GOOD_1, GOOD_2)

    with pytest.raises(RuntimeError), session_scope(engine) as session:
        import_orders(path, session)

    with session_scope(engine) as session:
        assert count_orders(session) == 0
