"""What operators scrape: Prometheus metrics of one gateway instance, at GET /metrics.

Counters and histograms are updated where things happen (the flow, the chat socket, the
sweepers); the queue and the messages awaiting the bot are read from the shared database
at scrape time, so every instance reports the same figures for them. The public side of
the load balancer answers 404 for /metrics: Prometheus scrapes each instance's own port
(docs/production.md has the alerts and what to do about each).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from store.db import DATABASE_RETRIES, session_scope
from store.models import Handoff, HandoffStatus, Message, as_utc, utcnow

MESSAGES = Counter("shop_messages_total", "Messages stored, by channel, sender and direction "
                   "(in: from customers; out: to them)", ["channel", "sender", "direction"])
BOT_ROUND_TRIP = Histogram(
    "shop_bot_round_trip_seconds", "A customer message to the bot until its replies are "
    "stored and sent (Rasa, custom actions, database)",
    buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60))
RASA_FAILURES = Counter("shop_rasa_failures_total", "Customer messages Rasa did not answer "
                        "(the customer got the apology and was queued)")
ACTION_FAILURES = Counter("shop_action_failures_total", "Custom actions that failed during a "
                          "bot turn", ["action"])
TAKEN_OVER = Counter("shop_replies_taken_over_total", "Bot turns of a dead gateway finished "
                     "by this one, by what was done", ["outcome"])
WEBSOCKETS = Gauge("shop_websocket_connections", "Open website chat connections")


STORE_GAUGES = {
    "shop_queue_length": "Handoffs waiting for a person",
    "shop_queue_oldest_wait_seconds": "How long the longest-waiting queued customer has "
                                      "waited",
    "shop_replies_pending": "Customer messages awaiting the bot's reply",
    "shop_replies_pending_oldest_seconds": "How long the oldest message awaiting the bot "
                                           "has waited",
}


class StoreCollector(Collector):
    """Figures of the shared database, read at every scrape."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Names only: registering must not query the database."""
        for name, documentation in STORE_GAUGES.items():
            yield GaugeMetricFamily(name, documentation)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = utcnow()
        with session_scope() as session:
            queued, first_queued = session.execute(
                select(func.count(Handoff.id), func.min(Handoff.created_at))
                .where(Handoff.status == HandoffStatus.queued)).one()
            pending, first_pending = session.execute(
                select(func.count(Message.id), func.min(Message.created_at))
                .where(Message.reply_pending_until.is_not(None))).one()
        values = (queued, _age(first_queued, now), pending, _age(first_pending, now))
        for (name, documentation), value in zip(STORE_GAUGES.items(), values, strict=True):
            yield GaugeMetricFamily(name, documentation, value=value)


def _age(moment: datetime | None, now: datetime) -> float:
    return (now - as_utc(moment)).total_seconds() if moment else 0.0


REGISTRY.register(StoreCollector())


__all__ = ["ACTION_FAILURES", "BOT_ROUND_TRIP", "DATABASE_RETRIES", "MESSAGES", "RASA_FAILURES",
           "TAKEN_OVER", "WEBSOCKETS", "exposition"]


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
