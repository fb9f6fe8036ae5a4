from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from store.orders.lookup import can_change, find_order, verification_matches
from store.orders.models import Order, OrderStatus
from store.orders.seed import DEMO_ORDERS, seed_demo_orders

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2024, 8, 14)


def count_orders(session) -> int:
    return session.execute(select(func.count()).select_from(Order)).scalar_one()


def test_seed_adds_a_dozen_orders_covering_every_status(session):
    added = seed_demo_orders(session, today=TODAY)
    session.commit()

    assert added == len(DEMO_ORDERS) >= 12
    assert count_orders(session) == added
    statuses = set(session.execute(select(Order.status)).scalars())
    assert statuses == set(OrderStatus)


def test_seed_is_idempotent_and_keeps_changes_made_while_testing(session):
    seed_demo_orders(session, today=TODAY)
    find_order(session, "ORD-100001").status = OrderStatus.cancelled
    session.commit()

    assert seed_demo_orders(session, today=TODAY) == 0
    session.commit()

    assert count_orders(session) == len(DEMO_ORDERS)
    assert find_order(session, "ORD-100001").status == OrderStatus.cancelled


def test_seed_dates_match_the_statuses(session):
    seed_demo_orders(session, today=TODAY)
    session.commit()

    for order in session.execute(select(Order)).scalars():
        if order.status == OrderStatus.delayed:
            assert order.estimated_delivery < TODAY, order.order_id
        if order.status in (OrderStatus.in_transit, OrderStatus.shipped, OrderStatus.processing):
            assert order.estimated_delivery > TODAY, order.order_id
        if order.status == OrderStatus.delivered:
            assert order.delivered_at is not None and order.carrier, order.order_id
        else:
            assert order.delivered_at is None, order.order_id
        assert order.placed_at.date() <= TODAY
        assert order.total >= sum(item["qty"] * item["price"] for item in order.items)


def test_documented_demo_orders_behave_as_documented(session):
    seed_demo_orders(session, today=TODAY)
    session.commit()

    in_transit = find_order(session, "ORD-583920")
    assert in_transit.status == OrderStatus.in_transit
    assert in_transit.estimated_delivery == TODAY + timedelta(days=2)
    assert verification_matches(in_transit, "rina.wijaya@example.com")
    assert verification_matches(in_transit, "0811-2233-4455")
    assert can_change(find_order(session, "ORD-100001"))
    assert not can_change(in_transit)


def test_demo_orders_are_listed_in_the_docs():
    doc = (ROOT / "docs" / "demo-orders.md").read_text(encoding="utf-8")

    for demo in DEMO_ORDERS:
        assert demo.order_id in doc
        assert demo.email in doc
        assert demo.status.value in doc


def test_seed_command_creates_tables_and_reports_what_it_added(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    env = os.environ | {"DATABASE_URL": url, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "store.orders.seed"]

    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert first.returncode == 0, first.stderr
    assert f"added {len(DEMO_ORDERS)} demo orders" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "added 0 demo orders" in second.stdout
