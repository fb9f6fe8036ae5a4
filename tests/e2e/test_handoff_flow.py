"""A person takes over on the real stack and the customer never repeats a thing.

Customer (Indonesian, website chat) checks an order, asks for a person; the agent sees the
whole story in the inbox API, claims, replies; the customer sees it; the agent resolves;
the bot asks the CES question; the answer is stored, credited to the agent and counted in
the metrics.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from handoff.auth.accounts import create_agent
from scripts.widget_client import Widget
from store.db import session_scope
from store.models import Role, SurveyAnswer
from store.settings import get_settings

PASSWORD = "rina-password-123"


def login(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/api/v1/auth/login",
                           json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


async def test_person_takes_over_with_full_context_then_survey_counts(stack):
    with session_scope() as session:
        rina = create_agent(session, username="rina", display_name="Rina", role=Role.agent,
                            password=PASSWORD)
        create_agent(session, username="ops", display_name="Ops", role=Role.ops,
                     password=PASSWORD)
        rina_id = rina.id
    agent = login(stack.gateway_url, "rina")
    agent.post("/api/v1/agents/heartbeat")  # someone is online: the wait is in minutes
    widget = await Widget.open(stack.gateway_url, locale="id-ID")
    await widget.say("kak paket ORD-583920 udah sampai mana ya")
    await widget.bot_says()
    await widget.say("0811 2233 4455")
    assert "JP5839200123" in (await widget.bot_says())["text"]
    await widget.say("saya mau ngobrol sama CS aja")
    queued = await widget.bot_says()
    assert "menit" in queued["text"] and "tidak perlu mengulang" in queued["text"]
    state = await widget.next_frame("state", state="queued")
    assert state["wait_minutes"] >= 1

    queue = agent.get("/api/v1/handoffs", params={"status": "open"}).json()["items"]
    mine = next(h for h in queue if h["conversation_id"] == widget.conversation_id)
    assert mine["reason"] == "customer_request"
    assert "ORD-583920, verified" in mine["summary"]
    detail = agent.get(f"/api/v1/handoffs/{mine['id']}").json()
    transcript = detail["context"]["transcript"]
    assert [t["sender"] for t in transcript][:2] == ["customer", "bot"]
    assert any("JP5839200123" in t["text"] for t in transcript if t["sender"] == "bot")
    assert detail["context"]["order"]["tracking_number"] == "JP5839200123"
    assert detail["context"]["language"] == "id"

    assert agent.post(f"/api/v1/handoffs/{mine['id']}/claim").status_code == 200
    joined = await widget.next_frame("state", state="assigned")
    assert joined["agent_name"] == "Rina"
    sent = agent.post(f"/api/v1/handoffs/{mine['id']}/messages",
                      json={"text": "Halo Kak, saya Rina. Paketnya saya cek ke J&T ya."})
    assert sent.status_code == 201
    reply = await widget.next_frame("message", sender="agent")
    assert reply["agent_name"] == "Rina" and "saya Rina" in reply["text"]
    await widget.say("oke makasih kak")
    assert agent.post(f"/api/v1/handoffs/{mine['id']}/resolve").status_code == 200

    await widget.next_frame("state", state="bot")
    survey = await widget.bot_says()
    assert "seberapa mudah" in survey["text"]
    await widget.click("5", '/rate_effort{"ces_score":"5"}')
    await widget.bot_says()  # optional comment
    await widget.click("Tidak ada", "/deny")
    assert "Terima kasih atas masukannya" in (await widget.bot_says())["text"]
    await widget.close()

    with session_scope() as session:
        answer = session.execute(select(SurveyAnswer).where(
            SurveyAnswer.conversation_id == widget.conversation_id)).scalar_one()
    assert (answer.score, answer.human_involved, answer.agent_id, answer.escalation_reason,
            answer.trigger) == (5, True, rina_id, "customer_request", "resolved")

    ops = login(stack.gateway_url, "ops")
    # Metrics count days in the store's time zone (after 17:00 UTC, Jakarta is a day ahead).
    today = datetime.now(ZoneInfo(get_settings().timezone)).date().isoformat()
    metrics = ops.get("/api/v1/metrics", params={"from": today, "to": today}).json()
    assert metrics["ces"]["distribution"]["5"] >= 1
    assert metrics["ces"]["handed_off"]["answers"] >= 1
    assert any(r["reason"] == "customer_request" for r in metrics["handoffs"]["by_reason"])
    found = ops.get("/api/v1/conversations", params={"resolved_by": "human"}).json()["items"]
    assert widget.conversation_id in [c["id"] for c in found]
