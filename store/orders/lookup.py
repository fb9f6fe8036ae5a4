"""Reading orders and recording customers' requests. The caller owns the transaction."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from nlu.patterns import normalise_email, normalise_order_id, normalise_phone
from store.db import Base
from store.orders.models import Order, OrderRequest, OrderStatus, RequestKind

# Once a parcel is with the courier the warehouse can no longer stop or redirect it.
CHANGEABLE_STATUSES = frozenset({OrderStatus.processing.value, OrderStatus.packed.value})


def find_order(session: Session, order_id: str) -> Order | None:
    """The order for 'ORD-583920', 'ord 583920', '#583920' ...; None if malformed or unknown.

    Malformed ids never reach the database, so free text from the chat cannot shape a query.
    """
    canonical = normalise_order_id(order_id) if isinstance(order_id, str) else None
    if canonical is None:
        return None
    return session.get(Order, canonical)


def verification_matches(order: Order, factor: str) -> bool:
    """True when `factor` is the order's email (any case) or its phone number (any format)."""
    if not isinstance(factor, str) or not factor.strip():
        return False
    email = normalise_email(factor)
    if email is not None:
        return _same(email, (order.email or "").strip().lower())
    phone = normalise_phone(factor)
    if phone is not None:
        return _same(phone, normalise_phone(order.phone or "") or "")
    return False


def orders_of_customer(session: Session, *, email: str, phone: str) -> list[Order]:
    """Orders placed with both this email and this phone number, newest first.

    Both must match: one of them alone is easy to know about someone else.
    """
    email = normalise_email(email or "")
    phone = normalise_phone(phone or "")
    if email is None or phone is None:
        return []
    candidates = session.execute(
        select(Order).where(Order.email == email).order_by(Order.placed_at.desc())
    ).scalars()
    return [o for o in candidates if _same(phone, normalise_phone(o.phone or "") or "")]


def _same(given: str, expected: str) -> bool:
    # Constant time, so response timing does not reveal how much of a guess was right.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def can_change(order: Order) -> bool:
    """Cancelling or changing the address is possible only before the order ships."""
    return _status_value(order.status) in CHANGEABLE_STATUSES


def record_request(
    session: Session,
    order: Order,
    kind: str,
    details: str = "",
    conversation_id: str | None = None,
) -> OrderRequest:
    """Store a cancel / change-address request for staff; raises ValueError if not allowed.

    Asking twice for the same thing returns the pending request instead of a duplicate.
    """
    try:
        request_kind = RequestKind(kind)
    except ValueError:
        expected = ", ".join(k.value for k in RequestKind)
        raise ValueError(f"unknown request kind {kind!r}; expected one of: {expected}") from None
    if not can_change(order):
        raise ValueError(
            f"order {order.order_id} is {_status_value(order.status)} and can no longer be "
            f"changed (only {' or '.join(sorted(CHANGEABLE_STATUSES))} orders can)"
        )
    details = (details or "").strip()
    if request_kind is RequestKind.change_address and not details:
        raise ValueError("a change_address request needs the new address in details")

    existing = (
        session.execute(
            select(OrderRequest).where(
                OrderRequest.order_id == order.order_id,
                OrderRequest.kind == request_kind,
                OrderRequest.details == details,
                OrderRequest.status == "pending",
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    request = OrderRequest(
        order=order, kind=request_kind, details=details, conversation_id=conversation_id
    )
    session.add(request)
    session.flush()
    return request


def create_tables(engine: Engine) -> None:
    """Create the order tables if missing (embedded mode; migrations do this in production)."""
    Base.metadata.create_all(engine, tables=[Order.__table__, OrderRequest.__table__])


def _status_value(status: OrderStatus | str | None) -> str:
    return status.value if isinstance(status, OrderStatus) else str(status)
