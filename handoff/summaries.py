"""The handoff summary in each language of the staff pages, from the stored escalation context.

The action server writes one English summary (actions/handoff_context.py). The facts behind it
are in the handoff's context (reason, the customer's latest goal among the intents, the order
and whether it was verified, language, channel, last message), so an agent working in
Indonesian gets the same sentence in Indonesian without another round to the action server.
The English one stays the action server's own.
"""

from __future__ import annotations

from typing import Any

from store.models import Handoff

# Per language: what the customer wanted (by intent), why they were handed over (by reason),
# and the sentence frames. Keys follow actions/handoff_context.py's GOALS and REASONS.
PHRASES: dict[str, dict[str, Any]] = {
    "id": {
        "goals": {
            "check_order_status": "mengecek status pesanan",
            "cancel_order": "membatalkan pesanan",
            "change_shipping_address": "mengganti alamat pengiriman pesanan",
            "request_refund": "meminta pengembalian dana",
            "complain": "menyampaikan keluhan",
            "faq": "mendapat jawaban atas pertanyaan",
        },
        "reasons": {
            "customer_request": "pelanggan meminta bicara dengan petugas",
            "complaint": "pelanggan kecewa (keluhan)",
            "not_understood": "asisten dua kali tidak memahami pelanggan",
            "answer_not_helpful": "jawaban asisten tidak membantu",
            "verification_failed": "pelanggan tidak dapat memverifikasi pesanan",
            "order_not_found": "nomor pesanan tidak ditemukan",
            "order_already_shipped": "pesanan sudah dikirim dan tidak bisa diubah oleh bot",
            "order_delayed": "pesanan terlambat",
            "order_delivered_issue": "ada masalah dengan pesanan yang sudah diterima",
            "refund_request": "pelanggan meminta pengembalian dana",
            "assistant_unavailable": "asisten sedang tidak tersedia",
        },
        "languages": {"id": "Indonesia", "en": "Inggris"},
        "unknown_language": "tidak diketahui",
        "customer": "Pelanggan",
        "wants": "Pelanggan ingin {goal}",
        "asked_about": "Pelanggan bertanya soal {topic}",
        "order": " (pesanan {order_id}, {state})",
        "verified": "terverifikasi",
        "not_verified": "belum terverifikasi",
        "sentence": "{want}. Dialihkan karena {why}. Bahasa: {language}, kanal: {channel}.",
        "last": ' Pesan terakhir: "{text}"',
    },
}
LAST_MESSAGE_CHARS = 160


def _goal(intents: list[dict[str, Any]]) -> str | None:
    """The latest concrete thing the customer wanted (small talk and "a person" skipped)."""
    for item in reversed(intents):
        intent = item.get("intent") or ""
        if intent.split("/")[0] in PHRASES["id"]["goals"]:
            return intent
    return None


def _want(goal: str | None, words: dict[str, Any]) -> str:
    if goal is None:
        return words["customer"]
    base, _, topic = goal.partition("/")
    if topic:
        return words["asked_about"].format(topic=topic.replace("_", " "))
    return words["wants"].format(goal=words["goals"][base])


def summary_in(language: str, context: dict[str, Any]) -> str | None:
    """The summary in `language` (a PHRASES key), or None when the context is too thin to
    say more than the stored summary (no reason recorded)."""
    words = PHRASES.get(language)
    reason = context.get("reason")
    if words is None or not reason:
        return None
    slots = context.get("slots") or {}
    intents = context.get("intents") or []
    want = _want(_goal(intents), words)
    if slots.get("order_id"):
        state = words["verified"] if slots.get("order_verified") else words["not_verified"]
        want += words["order"].format(order_id=slots["order_id"], state=state)
    why = words["reasons"].get(reason, reason.replace("_", " "))
    spoken = context.get("language") or slots.get("language")
    text = words["sentence"].format(
        want=want, why=why, channel=context.get("channel") or "?",
        language=words["languages"].get(spoken, words["unknown_language"]))
    last = _last_customer_text(intents, context.get("transcript") or [])
    return text + words["last"].format(text=last[:LAST_MESSAGE_CHARS]) if last else text


def _last_customer_text(intents: list[dict[str, Any]], transcript: list[dict[str, Any]],
                        ) -> str | None:
    """What the customer last wrote (clicked payloads like "/affirm" are not words)."""
    typed = [i.get("text") for i in intents] or [
        turn.get("text") for turn in transcript if turn.get("sender") == "customer"]
    return next((text for text in reversed(typed) if text and not text.startswith("/")), None)


def summaries(handoff: Handoff) -> list[dict[str, str]]:
    """[{"language", "summary"}] for the staff pages: English as stored, the others rebuilt
    (what the context lacks comes from the handoff and its conversation)."""
    conversation = handoff.conversation
    context = {"reason": handoff.reason, "channel": conversation.channel,
               "language": conversation.language, **(handoff.context or {})}
    return [{"language": "en", "summary": handoff.summary}] + [
        {"language": language, "summary": summary_in(language, context) or handoff.summary}
        for language in PHRASES]


__all__ = ["PHRASES", "summaries", "summary_in"]
