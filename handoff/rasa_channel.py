"""The Rasa input channel the gateway talks through (loaded by the Rasa server).

A callback channel with two changes. It keeps the message metadata (Rasa's own drops it),
so actions know the customer's channel (web, whatsapp) and locale. And the replies to a
customer message come back in the webhook's response instead of one POST per message:
on two cores those extra requests cost Rasa the CPU it needs for predictions. Messages
the bot sends on its own (the survey after a resolve or an idle session, via Rasa's HTTP
API with output_channel=gateway) are still POSTed to the gateway's callback URL.
Registered in credentials.yml as `handoff.rasa_channel.GatewayInput`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class GatewayInput(CallbackInput):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            if not sender_id or text is None:
                return response.json({"error": "sender and message are required"}, status=422)
            replies = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, replies, sender_id,
                            input_channel=self.name(), metadata=self.get_metadata(request))
            )
            return response.json(replies.messages)

        return webhook
