"""What operators see on the production layout: each gateway's Prometheus /metrics (never
through the public side of the load balancer) and its JSON log lines, which name the
conversation and message and never the customer's email or phone."""

from __future__ import annotations

import json

import httpx
from prometheus_client.parser import text_string_to_metric_families

from scripts.widget_client import Widget

EMAIL, PHONE = "dewi.lestari77@example.com", "0812-7788-9911"
PHONE_DIGITS = "81277889911"


def scrape(production, k: int) -> dict[str, float]:
    """Gateway k's metrics, each sample by name and labels."""
    response = httpx.get(f"{production.instance_url(k)}/metrics", timeout=10)
    assert response.status_code == 200
    return {f"{sample.name}{sorted(sample.labels.items())}": sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def total(samples: dict[str, float], name: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(name + "["))


async def test_each_gateway_has_metrics_the_public_side_does_not_show(production):
    before = [scrape(production, k) for k in (0, 1)]
    widget = await Widget.open(production.gateway_url, locale="en-US")
    try:
        await widget.say("hi, how long does shipping take?")
        await widget.bot_says()
    finally:
        await widget.close()
    after = [scrape(production, k) for k in (0, 1)]

    def grown(name: str) -> float:
        return sum(total(a, name) - total(b, name) for a, b in zip(after, before, strict=True))

    assert grown("shop_messages_total") >= 2  # the customer's message and the reply
    assert grown("shop_bot_round_trip_seconds_count") == 1
    for samples in after:
        for name in ("shop_queue_length", "shop_queue_oldest_wait_seconds",
                     "shop_replies_pending", "shop_websocket_connections",
                     "shop_database_retries_total", "shop_rasa_failures_total"):
            assert any(k.startswith(name + "[") for k in samples), name
    for path in ("/metrics", "//metrics", "/metrics?x=1"):
        assert httpx.get(f"{production.gateway_url}{path}", timeout=10).status_code == 404


async def test_gateway_logs_are_json_lines_with_ids_and_no_email_or_phone(production):
    widget = await Widget.open(production.gateway_url, locale="id-ID")
    try:
        await widget.say(f"pesanan ORD-100001 kak, email saya {EMAIL} hp {PHONE}")
        await widget.bot_says()
        await widget.say(f"{EMAIL}")
        await widget.bot_says()
    finally:
        await widget.close()
    logs = sorted(production.services["gateway 1"].log.parent.parent.glob("*/*.log"))
    lines = [line for log in logs for line in log.read_text(errors="replace").splitlines()]
    for line in lines:
        assert EMAIL not in line and PHONE not in line and PHONE_DIGITS not in line
    gateway_lines = [line for log in logs if log.name == "gateway.log"
                     for line in log.read_text().splitlines() if line.strip()]
    events = [json.loads(line) for line in gateway_lines]  # every line is one JSON object
    turns = [e for e in events if e.get("conversation_id") == widget.conversation_id
             and e["event"].startswith("bot turn")]
    assert len(turns) == 2 and all(e["message_id"].startswith(widget.conversation_id)
                                   for e in turns)
