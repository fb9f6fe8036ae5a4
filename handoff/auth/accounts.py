"""Agent accounts: the first admin on an empty database, presence, what admins do to accounts
(deactivate, reactivate, reset a password, end sessions, clear login failures), changing
one's own password, and a CLI for all of it on the server:

    python -m handoff.auth.accounts add --username rina --name Rina --role agent
    python -m handoff.auth.accounts deactivate|reactivate|reset-password|end-sessions|
        clear-login-failures --username rina

(add and reset-password ask for the password on a terminal, or generate one and print it
once). Every change is in the audit log, by the admin's account or by "cli". Whatever ends
an account's use (deactivation, a new password) ends its sessions too.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.auth.credentials import (
    AuthError,
    generate_password,
    hash_password,
    revoke_agent_tokens,
    verify_password,
)
from store import audit, throttle
from store.models import Agent, Role, utcnow

FIRST_ADMIN = "admin"
MIN_PASSWORD_CHARS = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
CLI = "cli"  # the audit log's name for commands run on the server

# Who changes an account: an admin's (or, for their own password, the agent's) account, or
# CLI for a command run on the server.
Actor = Agent | str


class AccountError(ValueError):
    """An account that cannot be created or changed as asked."""


class UnknownAccount(AccountError):
    pass


class AccountConflict(AccountError):
    """The account's state does not allow it (a taken username, one's own deactivation)."""


def touch_agent(session: Session, agent: Agent) -> None:
    """Marks the agent online; wait estimates count agents seen in the last two minutes."""
    agent.last_seen_at = utcnow()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")


def create_agent(
    session: Session, *, username: str, display_name: str, role: Role | str, password: str
) -> Agent:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("username: 2–64 of a-z 0-9 . _ -, starting with a letter or digit")
    if not display_name.strip() or len(display_name.strip()) > 80:
        raise AccountError("name: 1–80 characters")
    _check_password(password)
    if session.execute(select(Agent.id).where(Agent.username == username)).first():
        raise AccountConflict(f"username {username!r} is taken")
    agent = Agent(username=username, display_name=display_name.strip(), role=Role(role),
                  password_hash=hash_password(password))
    session.add(agent)
    session.flush()
    return agent


def add_account(session: Session, *, by: Actor, username: str, display_name: str,
                role: Role | str, password: str) -> Agent:
    """create_agent, in the audit log."""
    agent = create_agent(session, username=username, display_name=display_name, role=role,
                         password=password)
    _audit(session, by, audit.CREATE_AGENT, agent, role=agent.role.value)
    return agent


def ensure_first_admin(session: Session) -> tuple[str, str] | None:
    """Creates `admin` with a random password when there is no agent at all.

    Returns (username, password) that one time, for the run command to print; None after.
    """
    if session.execute(select(func.count(Agent.id))).scalar_one():
        return None
    password = generate_password()
    create_agent(session, username=FIRST_ADMIN, display_name="Admin", role=Role.admin,
                 password=password)
    return FIRST_ADMIN, password


def find_agent(session: Session, *, agent_id: int | None = None,
               username: str | None = None) -> Agent:
    query = select(Agent).where(Agent.id == agent_id) if agent_id is not None else select(
        Agent).where(Agent.username == (username or "").strip().lower())
    agent = session.execute(query).scalar_one_or_none()
    if agent is None:
        raise UnknownAccount("No such account")
    return agent


def _audit(session: Session, by: Actor, action: str, agent: Agent, **details: object) -> None:
    audit.record(session, by if isinstance(by, Agent) else None, action,
                 target=f"agent:{agent.id}", details={"username": agent.username, **details},
                 who=by if isinstance(by, str) else None)


def deactivate_agent(session: Session, agent: Agent, *, by: Actor) -> int:
    """The account can no longer log in and its sessions end; returns how many ended."""
    if isinstance(by, Agent) and by.id == agent.id:
        raise AccountConflict("You cannot deactivate your own account")
    agent.is_active = False
    ended = revoke_agent_tokens(session, agent.id)
    _audit(session, by, audit.DEACTIVATE_AGENT, agent, sessions_ended=ended)
    return ended


def reactivate_agent(session: Session, agent: Agent, *, by: Actor) -> None:
    agent.is_active = True
    _audit(session, by, audit.REACTIVATE_AGENT, agent)


def _set_password(session: Session, agent: Agent, password: str, *, by: Actor,
                  action: str) -> int:
    _check_password(password)
    agent.password_hash = hash_password(password)
    ended = revoke_agent_tokens(session, agent.id)
    _audit(session, by, action, agent, sessions_ended=ended)
    return ended


def change_own_password(session: Session, agent: Agent, current: str, new: str) -> int:
    """Needs the current password (AuthError otherwise); every session of the account ends,
    the caller's too. Returns how many ended."""
    if not verify_password(agent.password_hash, current):
        raise AuthError("The current password is wrong")
    return _set_password(session, agent, new, by=agent, action=audit.CHANGE_PASSWORD)


def reset_password(session: Session, agent: Agent, password: str | None, *,
                   by: Actor) -> str:
    """An admin sets a new password (generated when None) and ends the account's sessions;
    returns the password, to be passed on once."""
    password = password or generate_password()
    _set_password(session, agent, password, by=by, action=audit.RESET_PASSWORD)
    return password


def end_sessions(session: Session, agent: Agent, *, by: Actor) -> int:
    """Logs the account out everywhere (e.g. a lost laptop); returns how many ended."""
    ended = revoke_agent_tokens(session, agent.id)
    _audit(session, by, audit.END_SESSIONS, agent, sessions_ended=ended)
    return ended


def clear_login_failures(session: Session, agent: Agent, *, by: Actor) -> int:
    """Lifts the login delays of the account from every address; returns the failures
    forgotten."""
    cleared = throttle.clear_failed_logins(session, agent.username)
    _audit(session, by, audit.CLEAR_LOGIN_FAILURES, agent, failures_cleared=cleared)
    return cleared


# --- the command line ------------------------------------------------------------------------

def _password_from_user() -> tuple[str, bool]:
    """(password, generated): typed twice on a terminal, generated otherwise."""
    if not sys.stdin.isatty():
        return generate_password(), True
    first = getpass.getpass("Password (empty to generate one): ")
    if not first:
        return generate_password(), True
    if getpass.getpass("Again: ") != first:
        raise AccountError("the passwords differ")
    return first, False


def _add(session: Session, args: argparse.Namespace) -> str:
    password, generated = _password_from_user()
    agent = add_account(session, by=CLI, username=args.username, display_name=args.name,
                        role=args.role, password=password)
    shown = f"\nPassword (shown once): {password}" if generated else ""
    return f"Created {args.role} {agent.username!r}.{shown}"


def _deactivate(session: Session, agent: Agent) -> str:
    ended = deactivate_agent(session, agent, by=CLI)
    return f"Deactivated {agent.username!r}; {ended} sessions ended."


def _reactivate(session: Session, agent: Agent) -> str:
    reactivate_agent(session, agent, by=CLI)
    return f"Reactivated {agent.username!r}."


def _reset(session: Session, agent: Agent) -> str:
    typed, generated = _password_from_user()
    password = reset_password(session, agent, typed, by=CLI)
    shown = f"\nPassword (shown once): {password}" if generated else ""
    return f"New password set for {agent.username!r}; its sessions ended.{shown}"


def _end_sessions(session: Session, agent: Agent) -> str:
    return f"Ended {end_sessions(session, agent, by=CLI)} sessions of {agent.username!r}."


def _clear(session: Session, agent: Agent) -> str:
    cleared = clear_login_failures(session, agent, by=CLI)
    return f"Forgot {cleared} failed logins of {agent.username!r}."


# Commands on an existing account: (help, what runs and returns the line to print).
_ACCOUNT_COMMANDS: dict[str, tuple[str, Callable[[Session, Agent], str]]] = {
    "deactivate": ("deactivate an account and end its sessions", _deactivate),
    "reactivate": ("let a deactivated account log in again", _reactivate),
    "reset-password": ("set a new password and end the account's sessions", _reset),
    "end-sessions": ("log an account out everywhere", _end_sessions),
    "clear-login-failures": ("lift an account's login delays", _clear),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.auth.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an agent, ops or admin account")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="display name the customer sees")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.agent.value)
    for name, (help_text, _run) in _ACCOUNT_COMMANDS.items():
        commands.add_parser(name, help=help_text).add_argument("--username", required=True)
    args = parser.parse_args(argv)

    from store.db import session_scope
    from store.migrate import upgrade_to_head

    upgrade_to_head()
    try:
        with session_scope() as session:
            if args.command == "add":
                output = _add(session, args)
            else:
                agent = find_agent(session, username=args.username)
                output = _ACCOUNT_COMMANDS[args.command][1](session, agent)
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
