"""Request and response models of the login and admin API (auth/login.py, auth/admin.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, constr

from handoff.schemas import MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, NO_NUL, AgentOut, OutModel


class LoginRequest(BaseModel):
    username: constr(strip_whitespace=True, to_lower=True, min_length=1,
                     max_length=MAX_USERNAME_CHARS, regex=NO_NUL)
    password: constr(min_length=1, max_length=MAX_PASSWORD_CHARS)

class LoginResponse(OutModel):
    token: str
    expires_at: datetime
    agent: AgentOut

# A password the server hashes: at least 10 characters (accounts.MIN_PASSWORD_CHARS, checked
# again there), bounded so one request cannot make argon2 work on megabytes.
NewPassword = constr(min_length=10, max_length=MAX_PASSWORD_CHARS)


class NewAgentRequest(BaseModel):
    """Checked again by handoff.auth.accounts.create_agent, whose message becomes the 422."""

    username: constr(strip_whitespace=True, to_lower=True, min_length=2,
                     max_length=MAX_USERNAME_CHARS, regex=NO_NUL)
    display_name: constr(strip_whitespace=True, min_length=1, max_length=80, regex=NO_NUL)
    role: Literal["agent", "ops", "admin"] = "agent"
    password: NewPassword

class PasswordChangeRequest(BaseModel):
    current_password: constr(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_password: NewPassword

class PasswordResetRequest(BaseModel):
    """No password: the server generates one and returns it once."""

    password: NewPassword | None = None

class AgentAccountOut(AgentOut):
    is_active: bool
    last_seen_at: datetime | None
    login_failures: int  # failed logins within the throttling window, from any address

class PasswordResetOut(OutModel):
    agent: AgentAccountOut
    password: str | None  # the generated password, shown once; null when the admin set one

class SessionsEndedOut(OutModel):
    sessions_ended: int

class LoginFailuresClearedOut(OutModel):
    failures_cleared: int

class AgentAccountList(OutModel):
    items: list[AgentAccountOut]

class AuditEventOut(OutModel):
    id: int
    created_at: datetime
    agent_id: int | None
    username: str | None
    action: str
    target: str | None
    details: dict[str, Any]

class AuditEventList(OutModel):
    items: list[AuditEventOut]
    total: int
