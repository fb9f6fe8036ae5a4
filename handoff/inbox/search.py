"""Finding a handoff from the inbox: by customer (name, email, phone), order number or any
text of the conversation, in every state, newest first.

Plain LIKE comparisons with bound parameters, so the same statement runs on SQLite and
PostgreSQL; the order number is found wherever it was written (messages, the summary, the
escalation context with the verified order).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, exists, or_, select
from sqlalchemy.orm import Session

from handoff.inbox.assignment import announced_or_past_queue, with_relations
from nlu.patterns import normalise_phone
from store.models import Conversation, Customer, Handoff, Message


def contains_pattern(text: str) -> str:
    """A LIKE pattern for `text` anywhere, with % and _ taken literally (escape "\\")."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(query: str) -> Any:
    pattern = contains_pattern(query)

    def like(column: Any) -> Any:
        return column.ilike(pattern, escape="\\")

    found = [
        like(Customer.name), like(Customer.email), like(Customer.phone), like(Handoff.summary),
        like(cast(Handoff.context, Text)),
        exists().where(Message.conversation_id == Handoff.conversation_id, like(Message.text)),
    ]
    phone = normalise_phone(query)  # "0812 3456 7890" is stored as +6281234567890
    if phone:
        found += [Customer.phone == phone, Customer.wa_id == phone.lstrip("+")]
    return or_(*found)


def search_handoffs(session: Session, query: str, *, limit: int = 50) -> list[Handoff]:
    """Handoffs whose customer, order number or conversation text matches `query`."""
    statement = (
        select(Handoff)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(_matches(query), announced_or_past_queue())
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(limit)
    )
    return list(session.execute(with_relations(statement)).scalars())


__all__ = ["contains_pattern", "search_handoffs"]
