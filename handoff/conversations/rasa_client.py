"""Talking to the Rasa server: customer messages in, and the survey after a resolve.

Replies to a customer message come back in the response; what the bot says on its own
(the survey after a resolve or an idle session) Rasa POSTs to the gateway's callback URL
(handoff.conversations.callback).
Every request carries RASA_AUTH_TOKEN (`RasaToken`): Rasa's HTTP API and the gateway channel
refuse anything without it (docs/security.md).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import httpx

from store.settings import get_settings

logger = logging.getLogger(__name__)
CHANNEL = "gateway"  # nlu.gateway_channel.GatewayInput
TIMEOUT = httpx.Timeout(60.0, connect=3.0)
# At most this many requests to Rasa at once; the rest wait here, in order. Rasa answers
# one message at a time per process anyway, and a burst of hundreds of new connections
# overflows its listen backlog (SANIC_BACKLOG, 100): refused customers, not faster ones.
MAX_CONNECTIONS = 64
RETRY_PAUSES_SECONDS = (1.0, 3.0)  # rides out a restarting Rasa database, then gives up
# Answers that mean no Rasa finished the message, so sending it once more cannot make the
# bot answer twice: Rasa saves a turn only at its end, and answers 500 when that failed
# (its database restarting); the load balancer answers 502/503 when it lost its Rasa
# (refused, or killed mid-message).
NOT_HANDLED_STATUSES = {500, 502, 503}
# One pooled client per event loop: building a client per message costs tens of ms of CPU
# (an SSL context each time) that Rasa needs on the same cores. Keyed weakly by the loop,
# so a client never outlives (or is reused after) the loop it belongs to.
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


class RasaToken(httpx.Auth):
    """Adds RASA_AUTH_TOKEN the way Rasa's `--auth-token` expects it: `?token=`.

    Read at each request, so tests and tools that change the environment need no new client.
    The benchmarks' own clients use it too (`httpx.AsyncClient(auth=RasaToken())`).
    """

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = get_settings().rasa_auth_token
        if token:
            request.url = request.url.copy_merge_params({"token": token})
        yield request


def _client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        client = _clients[loop] = httpx.AsyncClient(
            auth=RasaToken(), timeout=TIMEOUT,
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS,
                                max_keepalive_connections=MAX_CONNECTIONS)
        )
    return client


async def close_clients() -> None:
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


class RasaUnavailable(Exception):
    """Rasa could not take the message (down, timing out, or answering with an error)."""

    def __init__(self, detail: str, *, handled: bool = True) -> None:
        super().__init__(detail)
        self.handled = handled  # False: the message certainly never reached the bot


@dataclass
class BotTurn:
    """What the bot said to one message, and the custom actions that failed on the way."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    failed_actions: list[dict[str, Any]] = field(default_factory=list)

    def said_before_failure(self) -> list[dict[str, Any]]:
        """The replies up to the first failed action (what follows was said without it)."""
        if not self.failed_actions:
            return self.messages
        return self.messages[:min(f.get("after", 0) for f in self.failed_actions)]


async def _post(path: str, payload: Any, params: dict[str, str] | None = None) -> Any:
    url = f"{get_settings().rasa_url}{path}"
    try:
        response = await _client().post(url, json=payload, params=params)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # never reached Rasa
        raise RasaUnavailable(f"{url}: {error!r}", handled=False) from error
    except httpx.HTTPError as error:
        raise RasaUnavailable(f"{url}: {error!r}") from error
    if response.status_code >= 400:
        raise RasaUnavailable(f"{url}: HTTP {response.status_code} {response.text[:200]}",
                              handled=response.status_code not in NOT_HANDLED_STATUSES)
    return response.json() if "json" in response.headers.get("content-type", "") else None


async def _get(path: str) -> Any:
    url = f"{get_settings().rasa_url}{path}"
    try:
        response = await _client().get(url)
    except httpx.HTTPError as error:
        raise RasaUnavailable(f"{url}: {error!r}") from error
    if response.status_code >= 400:  # not raise_for_status: its message has the token
        raise RasaUnavailable(f"{url}: HTTP {response.status_code}")
    return response.json()


async def parse(text: str) -> dict[str, Any]:
    """Rasa's reading of a text (intent, entities), without touching any conversation."""
    return await _post("/model/parse", {"text": text}) or {}


async def send_to_bot(
    conversation_id: str, text: str, metadata: dict[str, Any], message_id: str | None = None
) -> BotTurn:
    """The bot's replies to this message, in order (see nlu.gateway_channel).

    `message_id` names the stored message in Rasa's tracker, so each can be traced to the
    one turn that handled it. A message no Rasa finished (see NOT_HANDLED_STATUSES) is
    tried again after a pause or two: an instance or its database may be restarting.
    """
    body = {"sender": conversation_id, "message": text, "metadata": metadata,
            "message_id": message_id}
    path = f"/webhooks/{CHANNEL}/webhook"
    for pause in (*RETRY_PAUSES_SECONDS, None):
        try:
            answer = await _post(path, body)
            break
        except RasaUnavailable as error:
            if error.handled or pause is None:
                raise
            logger.warning("Rasa did not finish a message of %s (%s); again in %.0f s",
                           conversation_id, error, pause)
            await asyncio.sleep(pause)
    answer = answer if isinstance(answer, dict) else {}
    return BotTurn(list(answer.get("messages") or []), list(answer.get("failed_actions") or []))


async def replies_in_tracker(conversation_id: str, message_id: str) -> list[dict] | None:
    """What the bot said to `message_id`, as Rasa's tracker recorded it; None when no Rasa
    finished that message (Rasa saves a turn only at its end, events and all).

    How a gateway taking over a dead gateway's turn knows whether Rasa already answered:
    then the replies are read back instead of the message being sent (and answered) again.
    """
    tracker = await _get(f"/conversations/{conversation_id}/tracker")
    events = list((tracker or {}).get("events") or [])
    for index, event in enumerate(events):
        if event.get("event") == "user" and event.get("message_id") == message_id:
            replies = []
            for later in events[index + 1:]:
                if later.get("event") == "user":
                    break
                if later.get("event") == "bot":
                    replies.append({"text": later.get("text"),
                                    "buttons": (later.get("data") or {}).get("buttons")})
            return replies
    return None


async def resume_with_survey(conversation_id: str, trigger: str) -> None:
    """Give the conversation back to the bot and have it ask the CES question.

    The same two steps as the goodbye rules: action_start_survey decides (once per
    session), then ces_form asks. Executed actions don't trigger predictions, so the
    second step is ours.
    """
    events = [{"event": "resume"},
              {"event": "slot", "name": "survey_trigger", "value": trigger}]
    await _post(f"/conversations/{conversation_id}/tracker/events", events)
    await _post(f"/conversations/{conversation_id}/execute",
                {"name": "action_start_survey"}, params={"output_channel": CHANNEL})
    # The execute answer carries the tracker as it was before the action: read it anew.
    tracker = await _get(f"/conversations/{conversation_id}/tracker")
    if (tracker.get("slots") or {}).get("survey_state") == "ask":
        await _post(f"/conversations/{conversation_id}/execute", {"name": "ces_form"},
                    params={"output_channel": CHANNEL})
    # Executed actions are not followed by a listen, as predicted ones are; without it
    # the customer's answer would be read as arriving mid-turn and ignored.
    await _post(f"/conversations/{conversation_id}/tracker/events",
                [{"event": "action", "name": "action_listen"}])
