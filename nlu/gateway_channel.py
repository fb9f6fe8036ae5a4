"""The Rasa input channel the gateway talks through (loaded by the Rasa server).

A callback channel with three changes. It keeps the message metadata (Rasa's own drops it),
so actions know the customer's channel (web, whatsapp) and locale. The replies to a
customer message come back in the webhook's response instead of one POST per message:
on two cores those extra requests cost Rasa the CPU it needs for predictions. And the
response says which custom actions failed, because Rasa itself only logs the failure and
carries on as if the action had run: with the action server down, the customer would get
half an answer and nobody would know. Messages the bot sends on its own (the survey after
a resolve or an idle session, via Rasa's HTTP API with output_channel=gateway) are still
POSTed to the gateway's callback URL.
Registered in credentials.yml as `nlu.gateway_channel.GatewayInput`.

Response: {"messages": [{"text", "buttons", ...}], "failed_actions": [{"action", "after"}]}
where `after` is how many of the messages were sent before the action failed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

# Failures of the message being handled in this task (None outside a gateway request).
_failed_actions: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "failed_actions", default=None)
_run_remote_action = RemoteAction.run


async def _run_noting_failures(self: RemoteAction, output_channel: Any, *args: Any,
                               **kwargs: Any) -> Any:
    """RemoteAction.run, but a failure is also noted for the gateway's response.

    A rejection is not a failure (a form refusing a value is a normal turn).
    """
    try:
        return await _run_remote_action(self, output_channel, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except Exception:
        failures = _failed_actions.get()
        if failures is not None:
            failures.append({"action": self.name(),
                             "after": len(getattr(output_channel, "messages", []))})
        raise


RemoteAction.run = _run_noting_failures


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
            message_id = (request.json or {}).get("message_id")
            replies = CollectingOutputChannel()
            failures: list[dict[str, Any]] = []
            token = _failed_actions.set(failures)
            try:
                await on_new_message(
                    UserMessage(text, replies, sender_id, input_channel=self.name(),
                                metadata=self.get_metadata(request),
                                message_id=str(message_id) if message_id else None)
                )
            finally:
                _failed_actions.reset(token)
            return response.json({"messages": replies.messages, "failed_actions": failures})

        return webhook
