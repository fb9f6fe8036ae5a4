"""Where customers are: each channel delivers stored messages and state to the customer.

The gateway only knows this small interface; the website chat lives in channels.web and
WhatsApp plugs in the same way.
"""

from __future__ import annotations

from typing import Any, Protocol


class Channel(Protocol):
    name: str

    async def deliver_message(self, conversation_id: str, message: dict[str, Any]) -> None:
        """Send one stored message (see handoff.serialize.message_json) to the customer."""

    async def deliver_state(self, conversation_id: str, state: dict[str, Any]) -> None:
        """Tell the customer who serves them now (bot, queued with wait, agent, closed)."""

    async def deliver_typing(self, conversation_id: str, agent_name: str) -> None:
        """Show that an agent is typing, where the channel supports it."""


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    _channels[channel.name] = channel


def channel_for(name: str) -> Channel:
    """The channel a conversation came from; unknown names fall back to the web chat."""
    from handoff.channels.web import web_channel

    return _channels.get(name, web_channel)
