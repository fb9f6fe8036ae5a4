"""Webhook notifications shaped like Meta's, and the signature Meta puts on them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from typing import Any

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
WA_ID = "6281122334455"  # Rina Wijaya's number in docs/demo-orders.md
_ids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgNNjI4MTEyMjMzNDQ1NRUCABIYIN{next(_ids):06d}"


def message(kind: str, content: dict[str, Any] | None = None, *, wa_id: str = WA_ID,
            message_id: str | None = None) -> dict[str, Any]:
    body = {"from": wa_id, "id": message_id or wamid(), "timestamp": "1700000000", "type": kind}
    if content is not None:
        body[kind] = content
    return body


def text(body: str, **kwargs: Any) -> dict[str, Any]:
    return message("text", {"body": body}, **kwargs)


def button_reply(payload: str, title: str, **kwargs: Any) -> dict[str, Any]:
    return message("interactive", {"type": "button_reply",
                                   "button_reply": {"id": payload, "title": title}}, **kwargs)


def list_reply(payload: str, title: str, **kwargs: Any) -> dict[str, Any]:
    return message("interactive", {"type": "list_reply", "list_reply": {
        "id": payload, "title": title, "description": ""}}, **kwargs)


def media(kind: str, media_id: str, data: bytes, mime_type: str, *, caption: str | None = None,
          filename: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """An image/video/document message as Meta sends it: the file only named by its media id,
    with its SHA-256 in base64 as webhooks give it."""
    content = {"id": media_id, "mime_type": mime_type,
               "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode()}
    if caption:
        content["caption"] = caption
    if filename:
        content["filename"] = filename
    return message(kind, content, **kwargs)


def status(message_id: str, state: str, *, errors: list[dict] | None = None) -> dict[str, Any]:
    update = {"id": message_id, "status": state, "timestamp": "1700000100",
              "recipient_id": WA_ID}
    if errors:
        update["errors"] = errors
    return update


def notification(*messages: dict[str, Any], statuses: list[dict[str, Any]] = (),
                 name: str = "Rina") -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "15550001111",
                                          "phone_number_id": "123456"}}
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": messages[0]["from"]}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}]}


def signed(body: dict[str, Any] | bytes, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw bytes and the headers Meta would send with them."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


def whatsapp_env(graph_base_url: str) -> dict[str, str]:
    return {"WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": "test-access-token", "WHATSAPP_PHONE_NUMBER_ID": "123456",
            "WHATSAPP_API_BASE_URL": graph_base_url, "WHATSAPP_API_VERSION": "v19.0"}
