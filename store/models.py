"""The shop's conversation tables: customers, conversations, messages, agents and their API
tokens, handoffs, notes, survey answers, resume links and canned replies. Other code writes
them through store.conversations (and store.waits, store.follow_up)."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from store.db import Base, string_enum


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Times are stored in UTC; SQLite hands them back without a zone, PostgreSQL with one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Sender(str, enum.Enum):
    customer = "customer"
    bot = "bot"
    agent = "agent"
    system = "system"


class Owner(str, enum.Enum):
    bot = "bot"
    human = "human"


class HandoffStatus(str, enum.Enum):
    queued = "queued"
    assigned = "assigned"
    resolved = "resolved"


class Role(str, enum.Enum):
    agent = "agent"
    ops = "ops"
    admin = "admin"



class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name = Column(String(120))
    email = Column(String(254), index=True)
    phone = Column(String(20), index=True)  # E.164, e.g. +6281234567890
    wa_id = Column(String(20), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    conversations = relationship("Conversation", back_populates="customer")


class Conversation(Base):
    """One customer session on one channel; its id is also the Rasa sender id."""

    __tablename__ = "conversations"

    id = Column(String(64), primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), index=True)
    channel = Column(String(16), nullable=False, default="web")
    language = Column(String(2))
    owner = Column(string_enum(Owner), nullable=False, default=Owner.bot)
    token_hash = Column(String(128))
    next_seq = Column(Integer, nullable=False, default=1)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    last_message_at = Column(DateTime(timezone=True))
    last_customer_message_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    close_reason = Column(String(32))  # goodbye | idle | resolved | retention
    # Where replies go while the customer is away from the website chat (store.follow_up):
    # "email" or "whatsapp"; the address once given, with the moment consent was given.
    follow_up_via = Column(String(16))
    follow_up_address = Column(String(254))
    follow_up_consent_at = Column(DateTime(timezone=True))
    # A widget showed this conversation (attach, ping); cleared when the last one left.
    widget_seen_at = Column(DateTime(timezone=True))
    # Messages up to this seq reached the customer: shown in a widget or forwarded.
    customer_reached_seq = Column(Integer, nullable=False, default=0, server_default="0")

    customer = relationship("Customer", back_populates="conversations")
    messages = relationship("Message", back_populates="conversation", order_by="Message.seq")
    handoffs = relationship("Handoff", back_populates="conversation", order_by="Handoff.id")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_seq"),
        UniqueConstraint("conversation_id", "client_message_id", name="uq_message_client_id"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    sender = Column(string_enum(Sender), nullable=False)
    agent_id = Column(Integer, ForeignKey("agents.id"))
    text = Column(Text, nullable=False, default="")
    buttons = Column(JSON)
    client_message_id = Column(String(64))  # client retries carry the same id
    external_id = Column(String(128), unique=True)  # e.g. WhatsApp wamid
    delivery_status = Column(String(16))
    delivery_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # A customer message whose bot turn has not finished: set when it goes to the bot,
    # cleared when the replies are stored. The value is the gateway's lease on the turn,
    # renewed while it waits for Rasa; once it lapses (that gateway died) another instance
    # takes the message over (handoff.conversations.awaiting_reply).
    reply_pending_until = Column(DateTime(timezone=True), index=True)
    # What the bot received for a clicked button (text holds its title), so a turn taken
    # over by another gateway sends Rasa the same thing.
    payload = Column(String(500))

    conversation = relationship("Conversation", back_populates="messages")
    agent = relationship("Agent")
    attachment = relationship("Attachment", uselist=False, back_populates="message")


class Attachment(Base):
    """A photo or short video in a conversation (store.attachments). The file itself lives
    in the attachment storage under `storage_key`, a random name that says nothing."""

    __tablename__ = "attachments"

    id = Column(String(32), primary_key=True)  # random: guessing one opens nothing either
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False,
                             index=True)
    message_id = Column(Integer, ForeignKey("messages.id"), unique=True)
    kind = Column(String(8), nullable=False)  # image | video
    content_type = Column(String(40), nullable=False)  # from the content, not the name
    size = Column(Integer, nullable=False)
    name = Column(String(120))  # the sender's file name, shown, never used as a path
    storage_key = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    message = relationship("Message", back_populates="attachment")


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)
    role = Column(string_enum(Role), nullable=False, default=Role.agent)
    password_hash = Column(String(255), nullable=False)
    is_active = Column(Boolean, nullable=False, default=True)
    last_seen_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ApiToken(Base):
    """An API token of the agent inbox: only a hash is stored, so a leaked database opens no
    session."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 hex of the token
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    revoked_at = Column(DateTime(timezone=True))

    agent = relationship("Agent")


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False, index=True)
    status = Column(
        string_enum(HandoffStatus), nullable=False, default=HandoffStatus.queued, index=True
    )
    reason = Column(String(40), nullable=False)
    priority = Column(Integer, nullable=False, default=0)  # higher is served first
    summary = Column(Text, nullable=False, default="")
    context = Column(JSON, nullable=False, default=dict)
    agent_id = Column(Integer, ForeignKey("agents.id"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    assigned_at = Column(DateTime(timezone=True))
    first_agent_reply_at = Column(DateTime(timezone=True))
    resolved_at = Column(DateTime(timezone=True))
    # Set once the inbox and the customer were told; lets any gateway instance catch up.
    announced_at = Column(DateTime(timezone=True))
    # The wait promised when the handoff was queued (store.waits): seconds from created_at,
    # and the opening time when the team was not going to answer before then. Both empty:
    # nobody was online, so no time was promised.
    predicted_wait_seconds = Column(Integer)
    predicted_back_at = Column(DateTime(timezone=True))
    # The customer's wait ended: first claim or agent reply; a transfer does not reset it.
    answered_at = Column(DateTime(timezone=True))

    conversation = relationship("Conversation", back_populates="handoffs")
    agent = relationship("Agent")
    notes = relationship("Note", back_populates="handoff", order_by="Note.id")


class Note(Base):
    """Internal note on a handoff; never shown to the customer."""

    __tablename__ = "notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False, index=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    handoff = relationship("Handoff", back_populates="notes")
    agent = relationship("Agent")


class SurveyAnswer(Base):
    """One CES question asked; score stays empty when the customer did not answer."""

    __tablename__ = "survey_answers"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    language = Column(String(2))
    trigger = Column(String(16), nullable=False)  # goodbye | idle | resolved
    human_involved = Column(Boolean, nullable=False, default=False)
    escalation_reason = Column(String(40))
    # Credited to the agent who resolved, not whoever holds the handoff later.
    agent_id = Column(Integer, ForeignKey("agents.id"))
    score = Column(Integer)
    comment = Column(Text)
    declined = Column(Boolean, nullable=False, default=False)
    asked_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    answered_at = Column(DateTime(timezone=True))


class ResumeLink(Base):
    """A link in a follow-up email that reopens the conversation in the website chat.

    Only a hash of its token is stored; the token works like the widget's own until it
    expires."""

    __tablename__ = "resume_links"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False,
                             index=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 hex of the token
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class CannedReply(Base):
    """A reply agents insert with one click: shared (agent_id empty, managed by ops and
    admins) or an agent's own. One row per language; `key` names the starter replies."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("key", "language", name="uq_canned_reply_key"),)

    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), index=True)
    key = Column(String(64))
    language = Column(String(2), nullable=False)
    title = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Deleted starter replies keep their row, so they are not seeded again.
    deleted_at = Column(DateTime(timezone=True))


__all__ = [
    "Agent",
    "ApiToken",
    "Attachment",
    "CannedReply",
    "as_utc",
    "Conversation",
    "Customer",
    "Handoff",
    "HandoffStatus",
    "Message",
    "Note",
    "Owner",
    "ResumeLink",
    "Role",
    "Sender",
    "SurveyAnswer",
    "utcnow",
]
