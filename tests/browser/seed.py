"""Seed the service's database directly (Rasa does not run in browser tests).

Everything goes through handoff's own functions or models, as the action server would.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from handoff.auth.credentials import hash_password
from store.conversations import (
    close_conversation,
    create_handoff,
    ensure_conversation,
    record_survey_answer,
    record_survey_asked,
)
from store.db import Base, get_engine, session_scope
from store.models import Agent, Customer, Role, Sender, utcnow
from store.transcript import append_message

PASSWORD = "nusa-test-password"

ORDER = {
    "order_id": "TN-10001", "status": "shipped", "customer_name": "Budi Santoso",
    "items": [{"name": "Kemeja Batik Parang", "qty": 1, "price": 349000},
              {"name": "Kopi Gayo 250 g", "qty": 2, "price": 89000}],
    "total": 527000, "carrier": "JNE", "tracking_number": "JNE123456789",
    "estimated_delivery": "2026-11-26", "shipping_address": "Jl. Malioboro 12, Yogyakarta",
}


def create_schema() -> None:
    from store import models  # noqa: F401
    from store.orders import models as order_models  # noqa: F401  (registers tables)

    Base.metadata.create_all(get_engine())


def create_agent(username: str, display_name: str, role: Role = Role.agent) -> None:
    with session_scope() as session:
        session.add(Agent(username=username, display_name=display_name, role=role,
                          password_hash=hash_password(PASSWORD)))


def _conversation(session, *, lines: list[tuple[Sender, str]], language: str, channel: str,
                  customer: Customer | None, days_ago: int = 0) -> str:
    conversation_id = uuid.uuid4().hex
    conversation = ensure_conversation(session, conversation_id, channel=channel,
                                           language=language)
    conversation.customer = customer
    conversation.created_at = utcnow() - timedelta(days=days_ago, minutes=10)
    for sender, text in lines:
        append_message(session, conversation_id, sender, text)
    return conversation_id


def seed_handoff(summary: str, customer_text: str, *, announced: bool = True) -> str:
    """A web conversation the bot escalated as a complaint, with a verified order.

    Announced by default, as once the bot's turn ended: agents see only announced handoffs.
    """
    lines = [
        (Sender.customer, "Halo, pesanan saya TN-10001 belum sampai"),
        (Sender.bot, "Pesanan TN-10001 sedang dikirim dengan JNE, perkiraan tiba 26 November."),
        (Sender.customer, customer_text),
        (Sender.bot, "Maaf atas ketidaknyamanannya. Saya hubungkan dengan petugas kami."),
    ]
    with session_scope() as session:
        customer = Customer(name="Budi Santoso", email="budi@example.com")
        conversation_id = _conversation(session, lines=lines, language="id", channel="web",
                                        customer=customer)
        # An earlier visit, so the agent sees the customer's history.
        _conversation(session, lines=[(Sender.customer, "Apakah bisa COD?")], language="id",
                      channel="web", customer=customer, days_ago=3)
        handoff = create_handoff(
            session, conversation_id=conversation_id, reason="complaint", summary=summary,
            channel="web", language="id",
            context={"reason": "complaint", "summary": summary, "channel": "web",
                     "language": "id", "order": ORDER,
                     "slots": {"order_id": "TN-10001", "order_verified": True},
                     "intents": [{"intent": "complain", "confidence": 0.93, "text": customer_text}],
                     "transcript": []},
        )
        if announced:
            handoff.announced_at = utcnow()
    return conversation_id


def escalate(conversation_id: str) -> None:
    """What the action server does when a customer asks for a person.

    Not announced yet: the caller posts the bot's reply to /rasa/callback, which does that.
    """
    with session_scope() as session:
        create_handoff(session, conversation_id=conversation_id, reason="customer_request",
                           summary="The customer asked for a person.", context={})


def seed_agent_reply(username: str, customer_text: str, reply: str) -> str:
    """A closed conversation an agent answered (for the ops filters)."""
    with session_scope() as session:
        agent = session.query(Agent).filter_by(username=username).one()
        conversation_id = _conversation(session, lines=[(Sender.customer, customer_text)],
                                        language="id", channel="web", customer=None)
        append_message(session, conversation_id, Sender.agent, reply, agent_id=agent.id)
        close_conversation(session, conversation_id, "resolved")
    return conversation_id


def seed_closed_conversations() -> None:
    """A few closed conversations for the transcripts list and the dashboard."""
    with session_scope() as session:
        for index, (language, channel, text, score) in enumerate([
            ("en", "web", "Where is my parcel? It is late", 6),
            ("id", "whatsapp", "Berapa ongkir ke Medan?", 7),
            ("id", "web", "Saya mau refund", 3),
        ]):
            conversation_id = _conversation(
                session, lines=[(Sender.customer, text), (Sender.bot, "OK!")],
                language=language, channel=channel, customer=None, days_ago=index)
            record_survey_asked(session, conversation_id=conversation_id, trigger="goodbye")
            record_survey_answer(session, conversation_id=conversation_id, score=score)
            close_conversation(session, conversation_id, "goodbye")
