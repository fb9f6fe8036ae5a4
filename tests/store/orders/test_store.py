from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.orders.lookup import can_change, find_order, record_request, verification_matches
from store.orders.models import Order, OrderRequest, OrderStatus


def make_order(session: Session, order_id: str = "ORD-583920", **overrides) -> Order:
    values = {
        "order_id": order_id,
        "customer_name": "Rina Wijaya",
        "email": "Rina.Wijaya@Example.com",
        "phone": "0811-2233-4455",
        "status": OrderStatus.processing,
        "items": [{"name": "Tas Selempang", "qty": 1, "price": 235_000}],
        "total": 235_000,
        "shipping_address": "Jl. Braga No. 21, Bandung 40111",
        "placed_at": datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc),
    } | overrides
    order = Order(**values)
    session.add(order)
    session.commit()
    return order


def test_order_stores_lowercase_email_and_e164_phone(session):
    order = make_order(session)

    assert order.email == "rina.wijaya@example.com"
    assert order.phone == "+6281122334455"


@pytest.mark.parametrize("typed", ["ORD-583920", "ord 583920", "#583920", "583920", " ORD583920 "])
def test_find_order_accepts_every_spelling_of_the_order_number(session, typed):
    make_order(session)

    assert find_order(session, typed).order_id == "ORD-583920"


@pytest.mark.parametrize(
    "typed",
    [
        "ORD-1' OR '1'='1",
        "ORD-583920' OR '1'='1",
        "ORD-583920; DROP TABLE orders; --",
        "%",
        "ORD-58392",
        "ORD-5839200",
        "",
        "   ",
        None,
    ],
)
def test_malformed_order_numbers_and_sql_find_nothing(session, typed):
    make_order(session)

    assert find_order(session, typed) is None
    assert session.execute(select(func.count()).select_from(Order)).scalar_one() == 1


def test_unknown_order_number_finds_nothing(session):
    make_order(session)

    assert find_order(session, "ORD-999999") is None


@pytest.mark.parametrize(
    "factor", ["rina.wijaya@example.com", "  RINA.Wijaya@EXAMPLE.com ", "rina.wijaya@example.com."]
)
def test_verification_accepts_the_order_email_in_any_case(session, factor):
    assert verification_matches(make_order(session), factor)


@pytest.mark.parametrize(
    "factor",
    [
        "+6281122334455",
        "081122334455",
        "0811-2233-4455",
        "+62 811 2233 4455",
        "6281122334455",
        "81122334455",
        "(0811) 2233.4455",
    ],
)
def test_verification_accepts_the_order_phone_in_any_format(session, factor):
    assert verification_matches(make_order(session), factor)


@pytest.mark.parametrize(
    "factor",
    [
        "rina@example.com",
        "rina.wijaya@example.co",
        "081122334456",
        "+6581122334455",
        "rina",
        "",
        "   ",
        None,
        "ORD-583920",
        "Rina Wijaya",
    ],
)
def test_verification_fails_for_any_other_factor(session, factor):
    assert not verification_matches(make_order(session), factor)


@pytest.mark.parametrize(
    ("status", "changeable"),
    [
        (OrderStatus.processing, True),
        (OrderStatus.packed, True),
        (OrderStatus.shipped, False),
        (OrderStatus.in_transit, False),
        (OrderStatus.out_for_delivery, False),
        (OrderStatus.delivered, False),
        (OrderStatus.cancelled, False),
        (OrderStatus.delayed, False),
    ],
)
def test_orders_can_change_only_before_they_ship(session, status, changeable):
    order = make_order(session, status=status)
    session.expire_all()  # read the status back from the database

    assert can_change(find_order(session, order.order_id)) is changeable


def test_record_request_stores_a_pending_request_with_the_conversation(session):
    order = make_order(session)

    request = record_request(
        session,
        order,
        "change_address",
        details="Jl. Asia Afrika No. 8, Bandung",
        conversation_id="conv-1",
    )
    session.commit()

    stored = session.execute(select(OrderRequest)).scalar_one()
    assert stored.id == request.id
    assert (stored.order_id, stored.kind) == ("ORD-583920", "change_address")
    assert stored.status == "pending"
    assert stored.details == "Jl. Asia Afrika No. 8, Bandung"
    assert stored.conversation_id == "conv-1"
    assert order.requests == [stored]


def test_asking_twice_for_the_same_change_keeps_one_request(session):
    order = make_order(session)

    first = record_request(session, order, "cancel")
    second = record_request(session, order, "cancel")

    assert first.id == second.id
    assert session.execute(select(func.count()).select_from(OrderRequest)).scalar_one() == 1


def test_record_request_rejects_an_unknown_kind(session):
    order = make_order(session)

    with pytest.raises(ValueError, match="unknown request kind 'refund'"):
        record_request(session, order, "refund")


@pytest.mark.parametrize(
    "status", [OrderStatus.shipped, OrderStatus.delivered, OrderStatus.cancelled]
)
def test_record_request_rejects_orders_that_can_no_longer_change(session, status):
    order = make_order(session, status=status)

    with pytest.raises(ValueError, match=f"ORD-583920 is {status.value} and can no longer be"):
        record_request(session, order, "cancel")
    assert session.execute(select(func.count()).select_from(OrderRequest)).scalar_one() == 0


def test_change_address_needs_the_new_address(session):
    order = make_order(session)

    with pytest.raises(ValueError, match="needs the new address"):
        record_request(session, order, "change_address", details="  ")
