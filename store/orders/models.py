"""Tables of the order store, on the shop database's shared declarative base."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship, validates

from nlu.patterns import normalise_email, normalise_phone
from store.db import Base, string_enum
from store.models import utcnow

# Couriers the store ships with, spelt as customers see them.
CARRIERS = ("JNE", "J&T Express", "SiCepat", "GoSend", "AnterAja")


class OrderStatus(str, enum.Enum):
    processing = "processing"
    packed = "packed"
    shipped = "shipped"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    cancelled = "cancelled"
    delayed = "delayed"


class RequestKind(str, enum.Enum):
    cancel = "cancel"
    change_address = "change_address"



class Order(Base):
    """One customer order. Times are stored in UTC; SQLite hands them back without tzinfo."""

    __tablename__ = "orders"

    order_id = Column(String(10), primary_key=True)  # ORD-583920
    customer_name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False, index=True)  # lowercase
    phone = Column(String(20), nullable=False, index=True)  # E.164, e.g. +6281234567890
    status = Column(string_enum(OrderStatus), nullable=False, default=OrderStatus.processing)
    items = Column(JSON, nullable=False, default=list)  # [{"name": ..., "qty": 1, "price": 0}]
    total = Column(Integer, nullable=False)  # rupiah
    shipping_address = Column(Text, nullable=False)
    carrier = Column(String(20))  # one of CARRIERS once a courier is booked
    tracking_number = Column(String(40))
    placed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    estimated_delivery = Column(Date)
    delivered_at = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    requests = relationship("OrderRequest", back_populates="order", order_by="OrderRequest.id")

    @validates("email")
    def _lowercase_email(self, _key: str, value: str) -> str:
        email = normalise_email(value or "")
        if email is None:
            raise ValueError(f"not an email address: {value!r}")
        return email

    @validates("phone")
    def _e164_phone(self, _key: str, value: str) -> str:
        phone = normalise_phone(value or "")
        if phone is None:
            raise ValueError(f"not a phone number: {value!r}")
        return phone

    def __repr__(self) -> str:
        return f"<Order {self.order_id} {self.status}>"


class OrderRequest(Base):
    """A customer's request (cancel, new address) for staff to carry out; never applied here."""

    __tablename__ = "order_requests"

    id = Column(Integer, primary_key=True)
    order_id = Column(String(10), ForeignKey("orders.order_id"), nullable=False, index=True)
    kind = Column(string_enum(RequestKind), nullable=False)
    details = Column(Text, nullable=False, default="")  # e.g. the new address
    # The Rasa sender id; not a foreign key so requests survive conversation retention.
    conversation_id = Column(String(64))
    status = Column(String(16), nullable=False, default="pending")  # pending | done | rejected
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    order = relationship("Order", back_populates="requests")


__all__ = ["CARRIERS", "Order", "OrderRequest", "OrderStatus", "RequestKind"]
