"""The Rasa input channel the gateway talks through (loaded by the Rasa server).

A callback channel with three changes. It keeps the message metadata (Rasa's own drops it),
so actions know the customer's channel (web, whatsapp) and locale. The replies to a
customer message come back in the webhook's response instead of one POST per message:
on two cores those extra requests cost Rasa the CPU it needs for predictions. And the
response says which custom actions failed, because Rasa itself only logs the failure and
carries on as if the action had run: with the action server down, the customer would get
half an answer and nobody would know. Messages the bot sends on its own (the survey after
a resolve or an idle session, via Rasa's HTTP API with output_channel=gateway) are still
POSTed to the gateway's callback URL, signed (nlu.callback_signature).
Registered in credentials.yml as `nlu.gateway_channel.GatewayInput`. Rasa's `--auth-token`
guards only its HTTP API, not channels, so this channel checks the same token itself
(`?token=`, as the API takes it): without it anyone who reaches Rasa could speak as any
customer and read the bot's answers, a verified order's included.

Response: {"messages": [{"text", "buttons", ...}], "failed_actions": [{"action", "after"}]}
where `after` is how many of the messages were sent before the action failed.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from nlu.callback_signature import signed_headers

logger = logging.getLogger(__name__)

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


class GatewayOutput(CollectingOutputChannel):
    """Posts what the bot says on its own to the gateway, signed with CALLBACK_SECRET."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    def __init__(self, endpoint: EndpointConfig, callback_secret: str) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.callback_secret = callback_secret

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await super()._persist_message(message)
        body = json.dumps(message).encode()  # signed as sent, byte for byte
        try:
            await self.endpoint.request("post", data=body,
                                        headers=signed_headers(self.callback_secret, body))
        except ClientResponseError as error:
            logger.error("the gateway refused a callback: HTTP %s", error.status)


class GatewayInput(CallbackInput):
    """credentials.yml: `url` (the gateway's callback), `auth_token` (RASA_AUTH_TOKEN) and
    `callback_secret` (CALLBACK_SECRET); Rasa refuses to start without the two secrets."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = dict(credentials or {})
        auth_token = str(credentials.pop("auth_token", "") or "")
        callback_secret = str(credentials.pop("callback_secret", "") or "")
        return cls(EndpointConfig.from_dict(credentials), auth_token, callback_secret)

    def __init__(self, endpoint: EndpointConfig, auth_token: str = "",
                 callback_secret: str = "") -> None:
        if not auth_token or not callback_secret:
            raise ValueError("the gateway channel needs auth_token and callback_secret "
                             "(RASA_AUTH_TOKEN, CALLBACK_SECRET; see docs/security.md)")
        super().__init__(endpoint)
        self.auth_token = auth_token
        self.callback_secret = callback_secret

    def get_output_channel(self) -> CollectingOutputChannel:
        return GatewayOutput(self.callback_endpoint, self.callback_secret)

    def _authorised(self, request: Request) -> bool:
        provided = request.args.get("token") or ""
        if hmac.compare_digest(provided.encode(), self.auth_token.encode()):
            return True
        logger.warning("refused a gateway-channel message from %s: %s", request.ip,
                       "wrong token" if provided else "no token")
        return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "not authorised"}, status=401)
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
