"""API tokens of the agent inbox: only a hash is stored, so a leaked database opens no session."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from handoff.db import Base
from handoff.models import utcnow


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 hex of the token
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    revoked_at = Column(DateTime(timezone=True))

    agent = relationship("Agent")


__all__ = ["ApiToken"]
