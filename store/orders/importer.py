"""Load orders from a CSV export: `python -m store.orders.importer FILE.csv`.

The format is documented in docs/orders-csv.md. Bad rows are reported with their line number
and skipped; an unreadable file imports nothing. Everything lands in one transaction.

Exit status: 0 all rows imported, 1 some rows skipped, 2 nothing imported (unreadable file,
database error or bad arguments).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from nlu.patterns import normalise_email, normalise_order_id, normalise_phone
from store.orders.models import CARRIERS, Order, OrderStatus

COLUMNS = (
    "order_id",
    "customer_name",
    "email",
    "phone",
    "status",
    "items",
    "total",
    "shipping_address",
    "carrier",
    "tracking_number",
    "placed_at",
    "estimated_delivery",
    "delivered_at",
)
OPTIONAL = frozenset({"carrier", "tracking_number", "estimated_delivery", "delivered_at"})
# Times without an offset are shop times (Jakarta) and are stored in UTC.
WIB = timezone(timedelta(hours=7), "WIB")
BATCH_SIZE = 500
MAX_RUPIAH = 2_147_483_647  # INTEGER column limit on PostgreSQL

# "name x qty @ price"; the last " x <qty> @" wins, so names may contain " x ".
_ITEM_RE = re.compile(
    r"^(?P<name>.+)\s+x\s*(?P<qty>\d+)\s*@\s*(?P<price>(?:Rp\.?\s*)?\S+)$", re.IGNORECASE
)
_RUPIAH_RE = re.compile(r"^(?:Rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+)$", re.I)
_CARRIERS = {c.lower(): c for c in CARRIERS} | {"j&t": "J&T Express", "jnt": "J&T Express"}


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, not UTF-8, wrong header); nothing was."""


class BadRowError(ValueError):
    """One row is invalid; the reason is the message."""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        orders = "order" if self.imported == 1 else "orders"
        rows = "row" if len(self.bad_rows) == 1 else "rows"
        return (
            f"imported {self.imported} {orders} ({self.created} new, {self.updated} updated), "
            f"skipped {len(self.bad_rows)} bad {rows}"
        )


def import_orders(path: str | Path, session: Session, *, progress: bool = False) -> ImportResult:
    """Upsert every valid row of the CSV at `path` by order_id; report and skip bad rows.

    Flushes in batches but never commits: the caller owns the transaction, so a failure
    half-way leaves nothing half-imported. Raises ImportFileError before touching the
    database when the file cannot be read as a whole.
    """
    path = Path(path)
    total_lines = _count_utf8_lines(path)
    result = ImportResult()
    first_line: dict[str, int] = {}
    batch: list[dict] = []
    with (
        path.open(encoding="utf-8-sig", newline="") as handle,
        tqdm(
            total=total_lines, unit=" lines", disable=None if progress else True, file=sys.stderr
        ) as bar,
    ):
        reader = csv.reader(handle, strict=True)
        positions = _columns(_read_header(reader, path), path)
        bar.update(reader.line_num)
        try:
            for line, last_line, row, csv_error in _rows(reader):
                bar.update(last_line - bar.n)
                values = _checked_row(line, last_line, row, csv_error, positions, first_line)
                if isinstance(values, BadRow):
                    result.bad_rows.append(values)
                    continue
                if values is None:
                    continue  # blank line
                first_line[values["order_id"]] = line
                batch.append(values)
                if len(batch) >= BATCH_SIZE:
                    _upsert(session, batch, result)
                    batch.clear()
        except UnicodeDecodeError:  # the file changed since it was checked
            raise ImportFileError(f"{path} is no longer UTF-8 text") from None
        _upsert(session, batch, result)
    return result


def _checked_row(
    line: int,
    last_line: int,
    row: list[str],
    csv_error: str | None,
    positions: dict[str, int],
    first_line: dict[str, int],
) -> dict | BadRow | None:
    """Column values of a good record, the problem of a bad one, None for a blank line."""
    try:
        if csv_error:
            span = f" (the record runs to line {last_line})" if last_line > line else ""
            raise BadRowError(f"malformed CSV: {csv_error}{span}")
        if not any(cell.strip() for cell in row):
            return None
        values = parse_row(row, positions, spans=last_line - line + 1)
        if values["order_id"] in first_line:
            raise BadRowError(
                f"duplicate order_id {values['order_id']} "
                f"(first on line {first_line[values['order_id']]})"
            )
    except BadRowError as error:
        return BadRow(line, str(error))
    return values


def parse_row(row: list[str], positions: dict[str, int], spans: int = 1) -> dict:
    """One CSV row to Order column values; raises BadRowError with the first problem found."""
    if len(row) != len(COLUMNS):
        hint = f" (the row runs over {spans} lines: an unclosed quote?)" if spans > 1 else ""
        raise BadRowError(f"expected {len(COLUMNS)} columns, found {len(row)}{hint}")
    raw = {name: row[index].strip() for name, index in positions.items()}
    for name in COLUMNS:
        if not raw[name] and name not in OPTIONAL:
            raise BadRowError(f"{name} is empty")

    order_id = normalise_order_id(raw["order_id"])
    if order_id is None:
        raise BadRowError(f"bad order_id {raw['order_id']!r} (expected ORD- and 6 digits)")
    email = normalise_email(raw["email"])
    if email is None:
        raise BadRowError(f"bad email {raw['email']!r}")
    phone = normalise_phone(raw["phone"])
    if phone is None:
        raise BadRowError(f"bad phone {raw['phone']!r}")
    status_text = re.sub(r"[\s-]+", "_", raw["status"].lower())
    try:
        status = OrderStatus(status_text)
    except ValueError:
        expected = ", ".join(s.value for s in OrderStatus)
        raise BadRowError(f"unknown status {raw['status']!r} (one of: {expected})") from None
    carrier = None
    if raw["carrier"]:
        carrier = _CARRIERS.get(raw["carrier"].lower())
        if carrier is None:
            raise BadRowError(f"unknown carrier {raw['carrier']!r} (one of: {', '.join(CARRIERS)})")
    placed_at = _datetime(raw["placed_at"], "placed_at")
    delivered_at = _datetime(raw["delivered_at"], "delivered_at") if raw["delivered_at"] else None
    if delivered_at is not None and delivered_at < placed_at:
        raise BadRowError("delivered_at is before placed_at")
    for name, limit in (("customer_name", 120), ("tracking_number", 40)):
        if len(raw[name]) > limit:
            raise BadRowError(f"{name} is longer than {limit} characters")

    return {
        "order_id": order_id,
        "customer_name": raw["customer_name"],
        "email": email,
        "phone": phone,
        "status": status,
        "items": parse_items(raw["items"]),
        "total": _rupiah(raw["total"], "total"),
        "shipping_address": raw["shipping_address"],
        "carrier": carrier,
        "tracking_number": raw["tracking_number"] or None,
        "placed_at": placed_at,
        "estimated_delivery": (
            _date(raw["estimated_delivery"], "estimated_delivery")
            if raw["estimated_delivery"]
            else None
        ),
        "delivered_at": delivered_at,
    }


def parse_items(text: str) -> list[dict]:
    """'Kaos Polos x 2 @ 69000; Topi x 1 @ 45.000' -> [{"name", "qty", "price"}, ...]."""
    items = []
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _ITEM_RE.match(part.strip())
        if match is None:
            raise BadRowError(f"bad item {part.strip()!r} (expected 'name x qty @ price')")
        qty = int(match["qty"])
        if qty < 1:
            raise BadRowError(f"item {match['name']!r} has quantity {qty}")
        items.append({"name": match["name"], "qty": qty, "price": _rupiah(match["price"], "price")})
    if not items:
        raise BadRowError("items is empty")
    return items


def _rupiah(text: str, name: str) -> int:
    if text.lstrip().startswith("-"):
        raise BadRowError(f"{name} must not be negative: {text!r}")
    match = _RUPIAH_RE.match(text.strip())
    if match is None:
        raise BadRowError(f"bad {name} {text!r} (whole rupiah, e.g. 189000 or 189.000)")
    value = int(re.sub(r"[.,]", "", match[1]))
    if value > MAX_RUPIAH:
        raise BadRowError(f"{name} is too large: {text!r}")
    return value


def _datetime(text: str, name: str) -> datetime:
    """ISO 8601 date or date-time; no offset means Jakarta time. Returned in UTC."""
    candidate = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        example = "2024-05-01T14:30:00+07:00"
        raise BadRowError(f"bad {name} {text!r} (ISO 8601, e.g. {example})") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value.astimezone(timezone.utc)


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRowError(f"bad {name} {text!r} (ISO 8601 date, e.g. 2024-05-03)") from None


def _count_utf8_lines(path: Path) -> int:
    """Line count for the progress bar; also proves the whole file is UTF-8 before importing."""
    count = 0
    try:
        with path.open("rb") as handle:
            for count, raw_line in enumerate(handle, start=1):  # noqa: B007 (count is the result)
                try:
                    raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    raise ImportFileError(
                        f"{path} is not UTF-8 text (first bad byte on line {count}); "
                        "save it as 'CSV UTF-8' and try again"
                    ) from None
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory, not a CSV file") from None
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    return count


def _read_header(reader: Iterator[list[str]], path: Path) -> list[str]:
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFileError(f"{path}: the header line is not valid CSV ({error})") from None
    if header is None or not any(cell.strip() for cell in header):
        raise ImportFileError(f"{path} is empty; the first line must be the header")
    return header


def _columns(header: list[str], path: Path) -> dict[str, int]:
    """Column name -> position. Any order is fine; missing or unknown names are not."""
    names = [cell.strip().lower() for cell in header]
    if len(names) == 1 and ";" in names[0]:
        raise ImportFileError(
            f"{path} is separated by semicolons; the importer expects commas "
            "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"
        )
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or duplicated:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(repr(n) for n in unknown)}")
        if duplicated:
            problems.append(f"repeated {', '.join(duplicated)}")
        raise ImportFileError(
            f"{path} has an incorrect header ({'; '.join(problems)}); expected: {','.join(COLUMNS)}"
        )
    return {name: names.index(name) for name in COLUMNS}


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, int, list[str], str | None]]:
    """(first line, last line, cells, csv error) per record; a malformed record doesn't stop us."""
    last_line = reader.line_num
    while True:
        first_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            last_line = max(reader.line_num, first_line)
            yield first_line, last_line, [], str(error)
            continue
        last_line = reader.line_num
        yield first_line, last_line, row, None


def _upsert(session: Session, batch: list[dict], result: ImportResult) -> None:
    if not batch:
        return
    ids = [values["order_id"] for values in batch]
    existing = {
        order.order_id: order
        for order in session.execute(select(Order).where(Order.order_id.in_(ids))).scalars()
    }
    for values in batch:
        order = existing.get(values["order_id"])
        if order is None:
            session.add(Order(**values))
            result.created += 1
        else:
            for name, value in values.items():
                setattr(order, name, value)
            result.updated += 1
    # The identity map holds flushed, unchanged orders weakly, so memory stays flat.
    session.flush()


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine, session_scope
    from store.orders.lookup import create_tables
    from store.settings import get_settings

    parser = argparse.ArgumentParser(
        prog="python -m store.orders.importer",
        description="Import or update orders from a CSV file (format: docs/orders-csv.md).",
    )
    parser.add_argument("file", type=Path, help="UTF-8 CSV with the documented header")
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        create_tables(engine)
        with session_scope(engine) as session:
            result = import_orders(args.file, session, progress=True)
    except ImportFileError as error:
        print(f"error: {error}. Nothing was imported.", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: database failure, nothing was imported: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for bad_row in result.bad_rows:
        print(f"{args.file}: {bad_row}", file=sys.stderr)
    print(result.summary())
    return 1 if result.bad_rows else 0


if __name__ == "__main__":
    raise SystemExit(main())
