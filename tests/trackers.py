"""Build rasa_sdk trackers from small dicts, the way Rasa sends them to the action server."""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Tracker


def user_event(
    text: str, intent: str, confidence: float = 0.95, entities: list | None = None,
    metadata: dict | None = None,
) -> dict[str, Any]:
    return {
        "event": "user", "text": text, "timestamp": time.time(),
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence},
                       "entities": entities or []},
        "metadata": metadata or {},
        "input_channel": "rest",
    }


def bot_event(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": time.time(), "data": {}}


def action_event(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": time.time()}


def make_tracker(
    *,
    events: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
    sender_id: str = "conv-test-1",
    active_loop: str | None = None,
    extra_slot_events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message is the last user event in `events`.

    `extra_slot_events` are appended last, the way Rasa hands slot candidates to a form's
    validation action.
    """
    latest = next(e for e in reversed(events) if e["event"] == "user")
    all_events = list(events) + list(extra_slot_events or [])
    return Tracker(
        sender_id=sender_id,
        slots={"language": "en", **(slots or {})},
        latest_message={**latest["parse_data"], "metadata": latest.get("metadata", {})},
        events=all_events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": time.time()}
