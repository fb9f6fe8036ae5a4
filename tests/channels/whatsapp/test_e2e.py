"""A WhatsApp customer on the real stack (Rasa, action server, gateway process), with Meta
played by the fake Graph API: order status in Indonesian, a person takes over, resolves,
and the CES question arrives as a list whose answer is stored as the score."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from handoff.auth.accounts import create_agent
from store.db import session_scope
from store.models import Conversation, Role, SurveyAnswer
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.fake_graph import FakeGraphApi
from tests.channels.whatsapp.payloads import WA_ID, notification, signed

PASSWORD = "rina-password-123"


class WhatsAppCustomer:
    """A phone: writes through the signed webhook, reads what the Graph API was asked to send."""

    def __init__(self, gateway_url: str, graph: FakeGraphApi) -> None:
        self.gateway_url, self.graph, self.read = gateway_url, graph, 0

    def send(self, message: dict[str, Any]) -> None:
        raw, headers = signed(notification(message))
        response = httpx.post(f"{self.gateway_url}/webhooks/whatsapp", content=raw,
                              headers=headers, timeout=10)
        assert response.status_code == 200, response.text

    def say(self, text: str) -> None:
        self.send(payloads.text(text))

    async def receives(self, predicate: Any = lambda body: True) -> dict[str, Any]:
        """The next message to this phone matching predicate (earlier ones are skipped)."""
        def unread_match(body: dict[str, Any]) -> bool:
            mine = [r.body for r in self.graph.sent if r.body.get("to") == WA_ID]
            return any(b is body for b in mine[self.read:]) and predicate(body)

        body = await self.graph.wait_for(unread_match)
        mine = [r.body for r in self.graph.sent if r.body.get("to") == WA_ID]
        self.read = next(i for i, b in enumerate(mine) if b is body) + 1
        return body


def text_of(body: dict[str, Any]) -> str:
    if body["type"] == "text":
        return body["text"]["body"]
    return body["interactive"]["body"]["text"]


def login(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/api/v1/auth/login",
                           json={"username": "rina.wa", "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


async def test_whatsapp_customer_order_handoff_and_survey_on_the_real_stack(stack, graph):
    with session_scope() as session:
        rina_id = create_agent(session, username="rina.wa", display_name="Rina",
                               role=Role.agent, password=PASSWORD).id
    phone = WhatsAppCustomer(stack.gateway_url, graph)

    phone.say("kak pesanan ORD-583920 udah sampai mana?")
    await phone.receives()  # asks for the email or phone of the order
    phone.say("rina.wijaya@example.com")
    assert "JP5839200123" in text_of(await phone.receives(lambda b: "JP58" in text_of(b)))

    agent = login(stack.gateway_url)
    agent.post("/api/v1/agents/heartbeat")  # someone is online: the wait is in minutes
    phone.say("mau ngomong sama CS")
    queued = await phone.receives(lambda b: "menit" in text_of(b))
    assert "tidak perlu mengulang" in text_of(queued).lower()

    mine = None
    for _ in range(50):  # queued for agents once announced, right after the reply went out
        queue = agent.get("/api/v1/handoffs", params={"status": "open"}).json()["items"]
        mine = next((h for h in queue if h["channel"] == "whatsapp"), None)
        if mine:
            break
        await asyncio.sleep(0.1)
    assert mine, "the handoff never reached the queue"
    assert mine["customer"]["wa_id"] == "[phone]"  # redacted in the inbox, stored in full
    with session_scope() as session:
        conversation = session.get(Conversation, mine["conversation_id"])
        assert (conversation.customer.wa_id, conversation.customer.phone) == (
            WA_ID, "+6281122334455")
    detail = agent.get(f"/api/v1/handoffs/{mine['id']}").json()
    assert detail["context"]["order"]["tracking_number"] == "JP5839200123"
    assert detail["context"]["channel"] == "whatsapp" and detail["context"]["language"] == "id"

    assert agent.post(f"/api/v1/handoffs/{mine['id']}/claim").status_code == 200
    await phone.receives(lambda b: "Rina bergabung" in text_of(b))
    sent = agent.post(f"/api/v1/handoffs/{mine['id']}/messages",
                      json={"text": "Halo Kak, saya Rina. Paketnya saya cek ke J&T ya."})
    assert sent.status_code == 201
    reply = await phone.receives(lambda b: "saya Rina" in text_of(b))
    assert reply["to"] == WA_ID and reply["type"] == "text"
    phone.say("oke makasih kak")
    assert agent.post(f"/api/v1/handoffs/{mine['id']}/resolve").status_code == 200

    survey = await phone.receives(lambda b: b["type"] == "interactive")
    assert "seberapa mudah" in text_of(survey).lower()
    assert survey["interactive"]["type"] == "list"
    rows = survey["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 8 and rows[5]["id"] == '/rate_effort{"ces_score":"6"}'
    phone.send(payloads.list_reply(rows[5]["id"], rows[5]["title"]))
    comment = await phone.receives()  # the optional comment, with a "nothing" button
    buttons = comment["interactive"]["action"]["buttons"] if comment["type"] == "interactive" \
        else []
    if buttons:
        phone.send(payloads.button_reply(buttons[-1]["reply"]["id"],
                                         buttons[-1]["reply"]["title"]))
    else:
        phone.say("tidak ada")
    await phone.receives(lambda b: "Terima kasih" in text_of(b))

    with session_scope() as session:
        answer = session.execute(select(SurveyAnswer).where(
            SurveyAnswer.conversation_id == mine["conversation_id"])).scalar_one()
        assert (answer.score, answer.channel, answer.agent_id, answer.trigger) == (
            6, "whatsapp", rina_id, "resolved")
