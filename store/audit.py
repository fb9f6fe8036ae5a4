"""The audit log: who looked at raw personal data or took it out of the service, who changed
an account (created, deactivated, passwords, sessions, login throttling), and when.

Written in the same transaction as the request that reads the data, so a view that fails
leaves no entry and a view that succeeds cannot lose its entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Session

from store.db import Base
from store.models import Agent, utcnow

VIEW_UNREDACTED = "conversation.view_unredacted"
EXPORT = "conversations.export"
CREATE_AGENT = "agent.create"
DEACTIVATE_AGENT = "agent.deactivate"
REACTIVATE_AGENT = "agent.reactivate"
CHANGE_PASSWORD = "agent.password_change"
RESET_PASSWORD = "agent.password_reset"
END_SESSIONS = "agent.sessions_end"
CLEAR_LOGIN_FAILURES = "agent.login_failures_clear"
PURGE = "privacy.purge"
CUSTOMER_EXPORT = "customer.export"
CUSTOMER_DELETE = "customer.delete"


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), index=True)
    username = Column(String(64))  # kept as it was, even if the account changes later
    action = Column(String(40), nullable=False, index=True)
    target = Column(String(120))
    details = Column(JSON, nullable=False, default=dict)


def record(session: Session, agent: Agent | None, action: str, target: str | None = None,
           details: dict[str, Any] | None = None, *, who: str | None = None) -> AuditEvent:
    """`agent` for requests by a logged-in person; `who` (e.g. "cli") for commands run on
    the server, which have no account."""
    if agent is None and not who:
        raise ValueError("an audit event needs an agent or a `who`")
    event = AuditEvent(agent_id=agent.id if agent else None,
                       username=agent.username if agent else who, action=action,
                       target=target, details=details or {}, created_at=utcnow())
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, *, action: str | None = None, limit: int = 100,
                offset: int = 0) -> tuple[list[AuditEvent], int]:
    """Newest first, with the total for paging."""
    query = select(AuditEvent)
    count = select(func.count(AuditEvent.id))
    if action:
        query, count = query.where(AuditEvent.action == action), count.where(
            AuditEvent.action == action)
    rows = session.execute(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit).offset(offset)).scalars().all()
    return list(rows), session.execute(count).scalar_one()


__all__ = ["CHANGE_PASSWORD", "CLEAR_LOGIN_FAILURES", "CREATE_AGENT", "CUSTOMER_DELETE",
           "CUSTOMER_EXPORT", "DEACTIVATE_AGENT", "END_SESSIONS", "EXPORT", "PURGE",
           "REACTIVATE_AGENT", "RESET_PASSWORD", "VIEW_UNREDACTED", "AuditEvent",
           "list_events", "record"]
