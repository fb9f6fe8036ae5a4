"""Demo orders to try the bot with (ids, emails and phones are listed in docs/demo-orders.md).

Dates are relative to today in Jakarta, so a "delayed" order is always past its estimate and
an "in_transit" one always due in the future. Run `python -m store.orders.seed`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.orders.lookup import create_tables
from store.orders.models import Order, OrderStatus

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class DemoOrder:
    order_id: str
    customer_name: str
    email: str
    phone: str
    status: OrderStatus
    items: tuple[tuple[str, int, int], ...]  # (name, qty, price in rupiah)
    shipping: int  # rupiah; free from Rp 200.000
    shipping_address: str
    placed_days_ago: int
    estimate_in_days: int | None  # relative to today; negative = already past
    delivered_days_ago: int | None = None
    carrier: str | None = None
    tracking_number: str | None = None


S = OrderStatus
SITI_ADDRESS = (
    "Jl. Kemang Raya No. 12, Bangka, Mampang Prapatan, Jakarta Selatan, DKI Jakarta 12730"
)
DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        order_id="ORD-100001",
        status=S.processing,
        customer_name="Siti Rahmawati",
        email="siti.rahmawati@example.com",
        phone="+6281234567890",
        shipping_address=SITI_ADDRESS,
        items=(
            ("Kemeja Batik Pria Lengan Panjang", 1, 189_000),
            ("Kerudung Voal Motif", 2, 65_000),
        ),
        shipping=0,
        placed_days_ago=0,
        estimate_in_days=2,
    ),
    DemoOrder(
        order_id="ORD-100002",
        status=S.packed,
        customer_name="Budi Santoso",
        email="budi.santoso@example.com",
        phone="+6285712345678",
        shipping_address="Jl. Dago No. 88, Lebakgede, Coblong, Bandung, Jawa Barat 40132",
        items=(("Xiaomi Redmi Buds 5", 1, 349_000),),
        shipping=0,
        placed_days_ago=1,
        estimate_in_days=2,
        carrier="SiCepat",
    ),
    DemoOrder(
        order_id="ORD-100003",
        status=S.processing,
        customer_name="Dewi Lestari",
        email="dewi.lestari@example.co.id",
        phone="+6281398765432",
        shipping_address="Jl. Raya Darmo No. 45, Keputran, Tegalsari, Surabaya, Jawa Timur 60265",
        items=(
            ("Rice Cooker Miyako 1,8 L", 1, 299_000),
            ("Set Pisau Dapur Stainless 6 pcs", 1, 129_000),
        ),
        shipping=0,
        placed_days_ago=0,
        estimate_in_days=4,
    ),
    DemoOrder(
        order_id="ORD-240518",
        status=S.shipped,
        customer_name="Andi Pratama",
        email="andi.pratama@example.com",
        phone="+6282167890123",
        shipping_address="Jl. Gatot Subroto No. 210, Sei Sikambing, Medan Helvetia, Medan, "
        "Sumatera Utara 20123",
        items=(("Sepatu Sneakers Kanvas", 1, 275_000),),
        shipping=0,
        placed_days_ago=2,
        estimate_in_days=4,
        carrier="JNE",
        tracking_number="JNE0240518001",
    ),
    DemoOrder(
        order_id="ORD-583920",
        status=S.in_transit,
        customer_name="Rina Wijaya",
        email="rina.wijaya@example.com",
        phone="+6281122334455",
        shipping_address="Jl. Braga No. 21, Braga, Sumur Bandung, Bandung, Jawa Barat 40111",
        items=(("Tas Selempang Kulit Wanita", 1, 235_000), ("Dompet Kartu", 1, 59_000)),
        shipping=0,
        placed_days_ago=2,
        estimate_in_days=2,
        carrier="J&T Express",
        tracking_number="JP5839200123",
    ),
    DemoOrder(
        order_id="ORD-583921",
        status=S.out_for_delivery,
        customer_name="Rina Wijaya",
        email="rina.wijaya@example.com",
        phone="+6281122334455",
        shipping_address="Jl. Tanjung Duren Raya No. 5, Tanjung Duren Utara, Grogol Petamburan, "
        "Jakarta Barat, DKI Jakarta 11470",
        items=(("Lampu Meja LED Lipat", 1, 149_000),),
        shipping=15_000,
        placed_days_ago=0,
        estimate_in_days=0,
        carrier="GoSend",
        tracking_number="GK-11-583921004",
    ),
    DemoOrder(
        order_id="ORD-372615",
        status=S.delivered,
        customer_name="Siti Rahmawati",
        email="siti.rahmawati@example.com",
        phone="+6281234567890",
        shipping_address=SITI_ADDRESS,
        items=(("Gamis Katun Polos", 1, 210_000),),
        shipping=0,
        placed_days_ago=5,
        estimate_in_days=-3,
        delivered_days_ago=3,
        carrier="AnterAja",
        tracking_number="10003726150012",
    ),
    DemoOrder(
        order_id="ORD-118734",
        status=S.delivered,
        customer_name="Yusuf Hidayat",
        email="yusuf.hidayat@example.com",
        phone="+6281355566677",
        shipping_address="Jl. A. P. Pettarani No. 17, Tamamaung, Panakkukang, Makassar, "
        "Sulawesi Selatan 90222",
        items=(("Smartwatch Amazfit Bip 5", 1, 899_000),),
        shipping=0,
        placed_days_ago=27,
        estimate_in_days=-21,
        delivered_days_ago=21,
        carrier="JNE",
        tracking_number="JNE0118734002",
    ),
    DemoOrder(
        order_id="ORD-459102",
        status=S.cancelled,
        customer_name="Putri Maharani",
        email="putri.maharani@example.com",
        phone="+6287812340099",
        shipping_address="Jl. Pandanaran No. 60, Pekunden, Semarang Tengah, Semarang, "
        "Jawa Tengah 50134",
        items=(("Blender Philips 2 L", 1, 459_000),),
        shipping=0,
        placed_days_ago=5,
        estimate_in_days=None,
    ),
    DemoOrder(
        order_id="ORD-671245",
        status=S.delayed,
        customer_name="Agus Setiawan",
        email="agus.setiawan@example.com",
        phone="+6281260001234",
        shipping_address="Jl. Sisingamangaraja No. 99, Teladan Barat, Medan Kota, Medan, "
        "Sumatera Utara 20217",
        items=(("Powerbank Anker 20.000 mAh", 1, 489_000), ("Kabel USB-C 1 m", 2, 45_000)),
        shipping=0,
        placed_days_ago=9,
        estimate_in_days=-3,
        carrier="JNE",
        tracking_number="JNE0671245003",
    ),
    DemoOrder(
        order_id="ORD-805533",
        status=S.delayed,
        customer_name="Made Wirawan",
        email="made.wirawan@example.com",
        phone="+6281337788990",
        shipping_address="Jl. Teuku Umar No. 140, Dauh Puri Kauh, Denpasar Barat, Denpasar, "
        "Bali 80113",
        items=(("Sprei Katun Jepang 160x200", 1, 185_000),),
        shipping=25_000,
        placed_days_ago=8,
        estimate_in_days=-2,
        carrier="SiCepat",
        tracking_number="004805533771",
    ),
    DemoOrder(
        order_id="ORD-920417",
        status=S.shipped,
        customer_name="Fitri Handayani",
        email="fitri.handayani@example.com",
        phone="+6285244413579",
        shipping_address="Jl. MT Haryono No. 33, Damai, Balikpapan Kota, Balikpapan, "
        "Kalimantan Timur 76114",
        items=(("Kaos Polos Cotton Combed 30s", 3, 69_000),),
        shipping=0,
        placed_days_ago=1,
        estimate_in_days=5,
        carrier="AnterAja",
        tracking_number="10009204170018",
    ),
)


def jakarta_today() -> date:
    return datetime.now(WIB).date()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Jakarta wall-clock time on `day`, stored in UTC like every other timestamp."""
    return datetime.combine(day, time(hour, minute), tzinfo=WIB).astimezone(timezone.utc)


def build_order(demo: DemoOrder, today: date) -> Order:
    items = [{"name": name, "qty": qty, "price": price} for name, qty, price in demo.items]
    placed_at = _at(today - timedelta(days=demo.placed_days_ago), 9, 15)
    if demo.placed_days_ago == 0:  # "placed this morning", never in the future
        placed_at = min(placed_at, datetime.now(timezone.utc))
    return Order(
        order_id=demo.order_id,
        customer_name=demo.customer_name,
        email=demo.email,
        phone=demo.phone,
        status=demo.status,
        items=items,
        total=sum(qty * price for _name, qty, price in demo.items) + demo.shipping,
        shipping_address=demo.shipping_address,
        carrier=demo.carrier,
        tracking_number=demo.tracking_number,
        placed_at=placed_at,
        estimated_delivery=(
            None if demo.estimate_in_days is None else today + timedelta(days=demo.estimate_in_days)
        ),
        delivered_at=(
            None
            if demo.delivered_days_ago is None
            else _at(today - timedelta(days=demo.delivered_days_ago), 14, 40)
        ),
    )


def seed_demo_orders(session: Session, today: date | None = None) -> int:
    """Add the demo orders that are not there yet; returns how many were added.

    Existing ids are left alone (also ones a person changed while testing). Flushes only:
    the caller commits.
    """
    today = today or jakarta_today()
    ids = [demo.order_id for demo in DEMO_ORDERS]
    existing = set(session.execute(select(Order.order_id).where(Order.order_id.in_(ids))).scalars())
    missing = [demo for demo in DEMO_ORDERS if demo.order_id not in existing]
    session.add_all(build_order(demo, today) for demo in missing)
    session.flush()
    return len(missing)


def main(argv: list[str] | None = None) -> int:
    from store.db import make_engine, session_scope
    from store.settings import get_settings

    parser = argparse.ArgumentParser(
        prog="python -m store.orders.seed",
        description="Create the order tables and add the demo orders.",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url or get_settings().database_url)
    create_tables(engine)
    with session_scope(engine) as session:
        added = seed_demo_orders(session)
    print(
        f"added {added} demo orders ({len(DEMO_ORDERS) - added} were already there) to "
        f"{engine.url.render_as_string(hide_password=True)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
