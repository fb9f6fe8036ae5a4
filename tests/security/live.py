"""Talking to a running gateway as its clients do: the inbox's event stream over HTTP, and a
customer's conversation handed to a person (as the escalation action does it)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from handoff.conversations import flow
from store import db
from store.conversations import create_handoff
from store.models import Conversation, Customer, Owner, utcnow


class EventStream:
    """The inbox's server-sent events, read one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.status_code
        self.text = ""  # everything received, as sent
        self._lines = response.aiter_lines()

    async def next(self) -> tuple[str, Any]:
        """("<event name>", data), ("comment", line) for ': …' lines, ("end", None) when the
        server closed the stream."""
        name, data = None, None
        async for line in self._lines:
            self.text += line + "\n"
            if line.startswith(":"):
                return "comment", line
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
            elif line == "" and name:
                return name, data
        return "end", None

    async def next_event(self) -> tuple[str, Any]:
        """The next event, skipping comments (heartbeats)."""
        while (item := await self.next())[0] == "comment":
            pass
        return item


def customer_handoff(conversation_id: str, customer: Customer | None = None, *,
                     token: str | None = None) -> int:
    """The widget's conversation handed to a person, announced, as after the bot's turn.
    With `token`, a conversation the widget only prepared is stored first, as its first
    message would have."""
    with db.session_scope() as session:
        if token is not None and session.get(Conversation, conversation_id) is None:
            flow._store_prepared(session, flow.PreparedConversation(conversation_id, token, "id"))
        conversation = session.get(Conversation, conversation_id)
        conversation.owner = Owner.human
        if customer is not None:
            conversation.customer = customer
        handoff = create_handoff(session, conversation_id=conversation_id, reason="complaint",
                                 summary="Customer wants a person", context={})
        handoff.announced_at = utcnow()
        session.flush()
        return handoff.id
