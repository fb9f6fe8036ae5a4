"""Agent accounts: the first admin on an empty database, presence, and a CLI to add people.

    python -m handoff.auth.accounts add --username rina --name Rina --role agent
(asks for the password on a terminal, or generates one and prints it once).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.auth.credentials import generate_password, hash_password
from store.models import Agent, Role, utcnow

FIRST_ADMIN = "admin"
MIN_PASSWORD_CHARS = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountError(ValueError):
    """An account that cannot be created as asked."""


def touch_agent(session: Session, agent: Agent) -> None:
    """Marks the agent online; wait estimates count agents seen in the last two minutes."""
    agent.last_seen_at = utcnow()


def create_agent(
    session: Session, *, username: str, display_name: str, role: Role | str, password: str
) -> Agent:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("username: 2–64 of a-z 0-9 . _ -, starting with a letter or digit")
    if not display_name.strip() or len(display_name.strip()) > 80:
        raise AccountError("name: 1–80 characters")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if session.execute(select(Agent.id).where(Agent.username == username)).first():
        raise AccountError(f"username {username!r} is taken")
    agent = Agent(username=username, display_name=display_name.strip(), role=Role(role),
                  password_hash=hash_password(password))
    session.add(agent)
    session.flush()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.auth.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an agent, ops or admin account")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="display name the customer sees")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.agent.value)
    args = parser.parse_args(argv)

    from store.db import session_scope
    from store.migrate import upgrade_to_head

    upgrade_to_head()
    try:
        password, generated = _password_from_user()
        with session_scope() as session:
            agent = create_agent(session, username=args.username, display_name=args.name,
                                 role=args.role, password=password)
            username = agent.username
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Created {args.role} {username!r}.")
    if generated:
        print(f"Password (shown once): {password}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
