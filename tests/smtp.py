"""A real SMTP server on 127.0.0.1 for the follow-up email tests (aiosmtpd), keeping what it
received: the gateway talks to it exactly as to a mail relay."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from scripts.processes import free_port

LINK = re.compile(r"https?://\S+#tokonusa-chat=(?P<conversation>[0-9a-f]{32})\.(?P<token>[\w-]+)")


@dataclass
class Mailbox:
    port: int
    received: list[EmailMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        self.received.append(message_from_bytes(envelope.original_content,
                                                policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} emails arrived")
            time.sleep(0.05)
        return self.received


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
