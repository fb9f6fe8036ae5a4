"""The website chat: frames for every widget on a conversation (docs/widget-protocol.md); what
a customer who left misses goes to their email or WhatsApp (offline.py)."""

from __future__ import annotations

from typing import Any

from handoff.channels.web import offline
from handoff.live import conversation_topic, hub


def message_frame(message: dict[str, Any]) -> dict[str, Any]:
    agent = message.get("agent") or {}
    return {
        "type": "message",
        "sender": message["sender"],
        "text": message["text"],
        "buttons": message.get("buttons") or [],
        "seq": message["seq"],
        "conversation_id": message["conversation_id"],
        "agent_name": agent.get("display_name"),
        "created_at": message["created_at"],
        "client_message_id": message.get("client_message_id"),
        "attachment": message.get("attachment"),
    }


class WebChannel:
    name = "web"

    async def deliver_message(self, conversation_id: str, message: dict[str, Any]) -> None:
        hub.publish(conversation_topic(conversation_id), message_frame(message))
        if message["sender"] != "customer":
            offline.forward_soon(conversation_id)  # in case nobody is looking

    async def deliver_state(self, conversation_id: str, state: dict[str, Any]) -> None:
        hub.publish(conversation_topic(conversation_id), {"type": "state", **state})

    async def deliver_typing(self, conversation_id: str, agent_name: str) -> None:
        hub.publish(conversation_topic(conversation_id),
                    {"type": "typing", "sender": "agent", "agent_name": agent_name})

    async def deliver_language(self, conversation_id: str, language: str) -> None:
        """The widget's own labels follow the conversation's language once it is known."""
        hub.publish(conversation_topic(conversation_id),
                    {"type": "language", "language": language})


web_channel = WebChannel()
