"""Follow-up emails through SMTP: what a website customer missed while away, with a link that
reopens the same conversation in the chat. Plain text, in the conversation's language.

SMTP_URL says where and how: smtp://host:25 (plain, e.g. a local relay), smtp+starttls://
user:password@host:587, smtps://user:password@host:465. SMTP_FROM is the sender.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from handoff.texts import customer_text
from store.hours import to_local
from store.settings import get_settings

TIMEOUT_SECONDS = 15
SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class EmailSendError(Exception):
    """The SMTP server did not take the email; the text says why (shown to the agent)."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # plain | starttls | tls
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@"
                         f"host:587 or smtps://user:pass@host:465, got {parts.scheme}://…")
    security, default_port = SCHEMES[parts.scheme]
    return SmtpServer(parts.hostname, parts.port or default_port, security,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


@dataclass(frozen=True)
class MissedLine:
    """One message the customer missed: who said it ('' for notices) and what."""

    who: str
    text: str
    choices: tuple[str, ...] = ()


def _day(moment: datetime) -> str:
    return f"{to_local(get_settings(), moment):%d/%m/%Y}"


def compose(*, to: str, language: str | None, lines: list[MissedLine], link: str,
            link_expires: datetime, consent_at: datetime) -> EmailMessage:
    """The email: greeting, the missed messages, the link back, why they get it."""
    def text(key: str, **values: str) -> str:
        return customer_text(f"email.{key}", language, **values)

    body = [text("greeting"), "", text("intro"), ""]
    for line in lines:
        said = f"{line.who}: {line.text}" if line.who else line.text
        body.append(said + (f"\n  [{' · '.join(line.choices)}]" if line.choices else ""))
        body.append("")
    body += [text("continue", link=link), text("link_expiry", date=_day(link_expires)), "",
             "-- ", text("footer", date=_day(consent_at))]
    message = EmailMessage()
    message["Subject"] = text("subject")
    message["From"] = get_settings().follow_up.sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="tokonusa.chat")
    message.set_content("\n".join(body))
    return message


def _send_now(server: SmtpServer, message: EmailMessage) -> None:
    client_class = smtplib.SMTP_SSL if server.security == "tls" else smtplib.SMTP
    extra = {"context": ssl.create_default_context()} if server.security == "tls" else {}
    try:
        with client_class(server.host, server.port, timeout=TIMEOUT_SECONDS, **extra) as smtp:
            if server.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise EmailSendError(f"SMTP {server.host}:{server.port}: {error}") from error


async def send(message: EmailMessage) -> None:
    """Hand the email to the SMTP server of SMTP_URL (smtplib, off the event loop)."""
    server = parse_smtp_url(get_settings().follow_up.smtp_url)
    await asyncio.to_thread(_send_now, server, message)


__all__ = ["EmailSendError", "MissedLine", "SmtpServer", "compose", "parse_smtp_url", "send"]
