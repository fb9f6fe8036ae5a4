"""What the assistant can help with, as buttons a customer can click, in both languages.

Used when the assistant is unsure what the customer meant (the likeliest topics) and when a
request is outside its scope (the main topics). Every list ends with "talk to a person", so
a customer is never left with only the bot.
"""

from __future__ import annotations

from typing import Any

# Intent (or faq/<topic>) -> (Indonesian title, English title). The payload is the intent.
TOPICS: dict[str, tuple[str, str]] = {
    "check_order_status": ("Cek status pesanan", "Check my order"),
    "cancel_order": ("Batalkan pesanan", "Cancel an order"),
    "change_shipping_address": ("Ganti alamat kirim", "Change the address"),
    "forgot_order_id": ("Lupa nomor pesanan", "I lost my order number"),
    "request_refund": ("Refund / dana kembali", "Refunds"),
    "faq/shipping_time": ("Lama pengiriman", "Delivery times"),
    "faq/shipping_cost": ("Ongkos kirim", "Shipping costs"),
    "faq/shipping_options": ("Pilihan kurir", "Couriers"),
    "faq/return_policy": ("Retur barang", "Returns"),
    "faq/payment_methods": ("Metode pembayaran", "Payment methods"),
    "faq/opening_hours": ("Jam layanan CS", "Opening hours"),
    "faq/warranty": ("Garansi", "Warranty"),
    "faq/invoice": ("Invoice / faktur", "Invoices"),
    "faq/account_password": ("Akun & password", "Account & password"),
}
MAIN_TOPICS = ("check_order_status", "faq/shipping_time", "faq/return_policy",
               "faq/payment_methods")
PERSON = ("Hubungkan ke CS", "Talk to a person")


def topic_buttons(intents: list[str], language: str) -> list[dict[str, Any]]:
    """Buttons for these intents (unknown ones skipped), then "talk to a person"."""
    index = 1 if language == "en" else 0
    buttons = [{"title": TOPICS[i][index], "payload": f"/{i}"} for i in intents if i in TOPICS]
    return buttons + [{"title": PERSON[index], "payload": "/request_human"}]


def likely_topics(parse: dict[str, Any], limit: int = 3) -> list[str]:
    """The likeliest topics in a parse the classifier was unsure of, best first.

    A retrieval intent (faq) is replaced by its likeliest answers from the response
    selector, so the buttons name a real question ("Shipping costs"), not "FAQ".
    """
    faq_ranking = [
        r.get("intent_response_key") for r in
        ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    ]
    topics: list[str] = []
    for ranked in parse.get("intent_ranking") or []:
        name = ranked.get("name")
        candidates = faq_ranking[:2] if name == "faq" else [name]
        topics += [c for c in candidates if c in TOPICS and c not in topics]
    return topics[:limit]
