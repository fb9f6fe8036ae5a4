"""Where customers are: each channel delivers stored messages and state to the customer.

The conversation flow only knows this small interface and the registry below. Each channel
is one folder beside this file (web/, whatsapp/): its routes and inbound parsing (which call
the conversation flow), its outbound delivery (which the flow calls through `channel_for`),
its API client. A channel registers itself at start-up (handoff.app); texts come from
handoff.texts, settings from store.settings.
"""

from __future__ import annotations

from typing import Any, Protocol


class ReplyWindowClosed(Exception):
    """The channel no longer takes free-form messages (WhatsApp: 24 h after the customer wrote)."""

    def __init__(self) -> None:
        super().__init__("The WhatsApp 24-hour window has closed: the customer must write first "
                         "(or use a template)")


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
    from handoff.channels.web.outbound import web_channel

    return _channels.get(name, web_channel)
