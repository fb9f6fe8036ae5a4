"""WhatsApp carries replies the customer would otherwise miss: to a website customer who left
their number (the approved template while the 24-hour window is closed, free text once they
answer, their answer continuing the same conversation), and to a WhatsApp customer whose
window has closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff.channels.web import offline
from handoff.conversations import flow
from store import settings
from store.conversations import create_handoff
from store.db import session_scope
from store.models import Conversation, Message, Role, Sender, utcnow
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import deliver
from tests.channels.whatsapp.payloads import notification
from tests.handoff.conftest import add_agent
from tests.hours import closed_now

TEMPLATE = "support_reply"
NUMBER, WA_ID = "0812 3456 7890", "6281234567890"


@pytest.fixture
def template(monkeypatch) -> None:
    monkeypatch.setenv("WHATSAPP_TEMPLATE_NAME", TEMPLATE)
    monkeypatch.setenv("WHATSAPP_TEMPLATE_LANGUAGES", "id=id,en=en_US")
    monkeypatch.setenv("CHAT_PAGE_URL", "https://shop.test/")
    monkeypatch.setenv("OPENING_HOURS", closed_now())
    monkeypatch.setattr(offline, "FORWARD_DELAY_SECONDS", 0.01)
    settings.get_settings.cache_clear()


def receive(ws, kind: str, **fields) -> dict:
    for _ in range(30):
        frame = ws.receive_json()
        if frame["type"] == kind and all(frame.get(k) == v for k, v in fields.items()):
            return frame
    raise AssertionError(f"no {kind} {fields}")


def website_customer_leaves_a_number(client) -> str:
    """A website chat queued for a person after hours; the customer picks WhatsApp."""
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "start", "locale": "id-ID"})
        conversation_id = receive(ws, "conversation")["conversation_id"]
        ws.send_json({"type": "message", "text": "halo kak, paket saya belum sampai",
                      "client_message_id": "c-1"})
        receive(ws, "message", sender="customer")
        with session_scope() as session:  # what the escalation action does
            create_handoff(session, conversation_id=conversation_id, reason="customer_request",
                           summary="wants a person", context={})
        client.portal.call(flow.announce, conversation_id)
        offer = receive(ws, "message", sender="bot")
        whatsapp = next(b for b in offer["buttons"] if b["payload"] == "follow_up:whatsapp")
        ws.send_json({"type": "button", **whatsapp, "client_message_id": "c-2"})
        assert "nomor WhatsApp" in receive(ws, "message", sender="bot")["text"]
        ws.send_json({"type": "message", "text": NUMBER, "client_message_id": "c-3"})
        assert "+62•••••••7890" in receive(ws, "message", sender="bot")["text"]
    for _ in range(200):  # the gateway records the widget leaving on its own thread
        with session_scope() as session:
            if session.get(Conversation, conversation_id).widget_seen_at is None:
                return conversation_id
    raise AssertionError("the widget's leaving was never recorded")


def claim(client, conversation_id: str) -> tuple[int, dict[str, str]]:
    from store.conversations import open_handoff

    with session_scope() as session:
        handoff_id = open_handoff(session, conversation_id).id
    rina = add_agent("rina", Role.agent, name="Rina")
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200
    return handoff_id, rina.headers


def test_website_customer_gets_the_reply_on_whatsapp_and_answers_there(client, graph, template):
    conversation_id = website_customer_leaves_a_number(client)
    handoff_id, rina = claim(client, conversation_id)
    graph.reset()
    client.post(f"/api/v1/handoffs/{handoff_id}/messages",
                json={"text": "Halo Kak, paketnya\nbesok sampai."}, headers=rina)
    client.portal.call(offline.drain)

    # Never wrote to us on WhatsApp: the window is closed, so the approved template.
    [sent] = graph.to(WA_ID)
    assert sent["type"] == "template"
    assert sent["template"]["name"] == TEMPLATE
    assert sent["template"]["language"] == {"policy": "deterministic", "code": "id"}
    [parameter] = sent["template"]["components"][0]["parameters"]
    assert parameter["type"] == "text" and "\n" not in parameter["text"]
    assert "Rina: Halo Kak, paketnya besok sampai." in parameter["text"]
    assert f"https://shop.test/#tokonusa-chat={conversation_id}." in parameter["text"]

    # The answer on WhatsApp continues the same conversation, with the agent.
    deliver(client, notification(payloads.text("oke kak, makasih", wa_id=WA_ID)))
    with session_scope() as session:
        answer = session.execute(select(Message).where(
            Message.text == "oke kak, makasih")).scalar_one()
        assert answer.conversation_id == conversation_id and answer.external_id
        assert session.execute(select(Conversation).where(
            Conversation.channel == "whatsapp")).first() is None

    graph.reset()
    client.post(f"/api/v1/handoffs/{handoff_id}/messages", json={"text": "Sama-sama Kak!"},
                headers=rina)
    client.portal.call(offline.drain)
    [free_text] = graph.to(WA_ID)  # the window is open now
    assert free_text == {"to": WA_ID, "type": "text", "messaging_product": "whatsapp",
                         "recipient_type": "individual",
                         "text": {"preview_url": False, "body": "Rina: Sama-sama Kak!"}}


def test_a_closed_window_uses_the_template_instead_of_refusing(client, graph, template):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    with session_scope() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
        conversation_id = conversation.id
        conversation.last_customer_message_at = utcnow() - timedelta(hours=25)
        create_handoff(session, conversation_id=conversation_id, reason="customer_request",
                       summary="", context={}, channel="whatsapp")
    client.portal.call(flow.announce, conversation_id)
    handoff_id, rina = claim(client, conversation_id)
    graph.reset()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages",
                           json={"text": "Maaf baru sempat membalas, Kak."}, headers=rina)
    assert response.status_code == 201
    [sent] = graph.to(payloads.WA_ID)
    assert sent["type"] == "template"
    assert sent["template"]["components"][0]["parameters"][0]["text"] == (
        "Maaf baru sempat membalas, Kak.")
    with session_scope() as session:
        reply = session.execute(select(Message).where(Message.sender == Sender.agent)).scalar_one()
        assert reply.delivery_status == "sent" and reply.external_id
