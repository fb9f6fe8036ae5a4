"""What an agent needs to know before typing a word, built from the Rasa tracker.

Plain functions over the tracker's event list, so they are tested without Rasa.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from store.conversations import handoff_context

# How a customer's goal reads in the agent's summary.
GOALS = {
    "check_order_status": "check the status of an order",
    "cancel_order": "cancel an order",
    "change_shipping_address": "change the delivery address of an order",
    "request_refund": "get a refund",
    "complain": "make a complaint",
    "faq": "get an answer to a question",
    "request_human": "talk to a person",
}
REASONS = {
    "customer_request": "the customer asked for a person",
    "complaint": "the customer is unhappy (complaint)",
    "not_understood": "the assistant did not understand the customer twice in a row",
    "answer_not_helpful": "an answer did not help the customer",
    "verification_failed": "the customer could not verify the order",
    "order_not_found": "the order number could not be found",
    "order_already_shipped": "the order already shipped and cannot be changed by the bot",
    "order_delayed": "the order is late",
    "order_delivered_issue": "a delivered order has a problem",
    "refund_request": "the customer wants a refund",
    "assistant_unavailable": "the assistant was unavailable",
}
CONTEXT_SLOTS = ("order_id", "order_verified", "order_request", "language")
_MAX_TEXT = 2000


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def build_transcript(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every customer and bot turn, oldest first, with UTC timestamps."""
    turns = []
    for event in events:
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turns.append({
                "sender": "customer",
                "text": (event.get("text") or "")[:_MAX_TEXT],
                "timestamp": _iso(event.get("timestamp")),
                "intent": intent.get("name"),
                "confidence": round(float(intent.get("confidence") or 0.0), 3),
            })
        elif event.get("event") == "bot" and event.get("text"):
            turns.append({
                "sender": "bot",
                "text": event["text"][:_MAX_TEXT],
                "timestamp": _iso(event.get("timestamp")),
            })
    return turns


def detected_intents(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"intent": turn["intent"], "confidence": turn["confidence"], "text": turn["text"]}
        for turn in transcript
        if turn["sender"] == "customer" and turn.get("intent")
    ]


def customer_goal(intents: list[dict[str, Any]]) -> str | None:
    """The most recent concrete thing the customer wanted (ignores small talk)."""
    for item in reversed(intents):
        base = (item["intent"] or "").split("/")[0]
        if base in GOALS and base != "request_human":
            return item["intent"]
    return None


def summarise(
    *, reason: str, slots: dict[str, Any], intents: list[dict[str, Any]], channel: str
) -> str:
    """One or two plain sentences for the top of the agent's screen."""
    goal = customer_goal(intents)
    language = {"id": "Indonesian", "en": "English"}.get(slots.get("language") or "", "unknown")
    if goal is None:
        want = "Customer"
    elif goal.startswith("faq/"):
        want = f"Customer asked about {goal.split('/', 1)[1].replace('_', ' ')}"
    else:
        want = f"Customer wants to {GOALS[goal]}"
    order_id = slots.get("order_id")
    if order_id:
        state = "verified" if slots.get("order_verified") else "not verified"
        want += f" (order {order_id}, {state})"
    last = next(
        (i["text"] for i in reversed(intents) if not i["text"].startswith("/")), None
    )
    why = REASONS.get(reason, reason.replace("_", " "))
    summary = f"{want}. Handed over because {why}. Language: {language}, channel: {channel}."
    if last:
        summary += f' Last message: "{last[:160]}"'
    return summary


def build_context(
    *,
    events: list[dict[str, Any]],
    slots: dict[str, Any],
    reason: str,
    channel: str,
    order: dict[str, Any] | None = None,
) -> dict[str, Any]:
    transcript = build_transcript(events)
    intents = detected_intents(transcript)
    kept_slots = {name: slots.get(name) for name in CONTEXT_SLOTS}
    return handoff_context(
        reason=reason,
        summary=summarise(reason=reason, slots=kept_slots, intents=intents, channel=channel),
        channel=channel,
        language=kept_slots["language"],
        slots=kept_slots,
        intents=intents,
        transcript=transcript,
        # Order details only when the customer proved it is theirs.
        order=order if kept_slots.get("order_verified") else None,
    )
