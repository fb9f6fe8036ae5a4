"""Which answer a verified customer gets about their order, and with what details.

Pure functions over an order, so every status and language is tested without Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.dates import format_date
from store.hours import to_local
from store.settings import get_settings

STATUS_WORDS = {
    "processing": {"id": "sedang diproses", "en": "being processed"},
    "packed": {"id": "sudah dikemas dan menunggu kurir", "en": "packed, waiting for the courier"},
    "shipped": {"id": "sudah dikirim", "en": "shipped"},
    "in_transit": {"id": "sedang dalam perjalanan", "en": "on its way"},
    "out_for_delivery": {"id": "sedang diantar kurir hari ini", "en": "out for delivery today"},
    "delivered": {"id": "sudah diterima", "en": "delivered"},
    "cancelled": {"id": "dibatalkan", "en": "cancelled"},
    "delayed": {"id": "terlambat", "en": "delayed"},
}
NOT_SHIPPED = ("processing", "packed")


@dataclass(frozen=True)
class OrderReply:
    response: str
    variables: dict[str, Any]
    offer_human_reason: str | None = None  # offer a person after the answer, for this reason
    request_kind: str | None = None  # record a cancel/change_address request
    extra: dict[str, Any] = field(default_factory=dict)


def _status(order: Any) -> str:
    return getattr(order.status, "value", order.status)


def order_variables(order: Any, language: str) -> dict[str, Any]:
    status = _status(order)
    return {
        "order_id": order.order_id,
        "status_words": STATUS_WORDS.get(status, {}).get(language, status),
        "carrier": order.carrier or "-",
        "tracking_number": order.tracking_number or "-",
        "eta": format_date(order.estimated_delivery, language),
        "delivered_on": format_date(
            to_local(get_settings(), order.delivered_at).date() if order.delivered_at else None,
            language,
        ),
    }


def is_late(order: Any, today: date) -> bool:
    status = _status(order)
    if status == "delayed":
        return True
    eta = order.estimated_delivery
    return status not in ("delivered", "cancelled") and eta is not None and eta < today


def status_reply(order: Any, language: str, today: date) -> OrderReply:
    variables = order_variables(order, language)
    status = _status(order)
    if status == "cancelled":
        return OrderReply("utter_order_cancelled", variables)
    if status == "delivered":
        return OrderReply("utter_order_delivered", variables)
    if is_late(order, today):
        return OrderReply("utter_order_delayed", variables, offer_human_reason="order_delayed")
    if status in NOT_SHIPPED:
        return OrderReply("utter_order_processing", variables)
    return OrderReply("utter_order_on_the_way", variables)


def change_reply(order: Any, request: str, language: str) -> OrderReply:
    """Cancel or change the address: record it before shipping, else explain and offer a person."""
    variables = order_variables(order, language)
    status = _status(order)
    if status == "cancelled":
        return OrderReply("utter_order_cancelled", variables)
    shipped = status not in NOT_SHIPPED
    if request == "cancel":
        if shipped:
            return OrderReply("utter_cancel_too_late", variables, "order_already_shipped")
        return OrderReply("utter_cancel_recorded", variables, request_kind="cancel")
    if shipped:
        return OrderReply("utter_address_too_late", variables, "order_already_shipped")
    return OrderReply("utter_address_change_recorded", variables, request_kind="change_address")


def order_reply(order: Any, request: str | None, language: str, today: date) -> OrderReply:
    if request in ("cancel", "change_address"):
        return change_reply(order, request, language)
    return status_reply(order, language, today)


def order_for_agent(order: Any) -> dict[str, Any]:
    """The verified order as the agent sees it in the handoff context."""
    return {
        "order_id": order.order_id,
        "status": _status(order),
        "customer_name": order.customer_name,
        "items": order.items,
        "total": order.total,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "estimated_delivery": order.estimated_delivery.isoformat()
        if order.estimated_delivery else None,
        "shipping_address": order.shipping_address,
    }
