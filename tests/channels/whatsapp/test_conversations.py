"""WhatsApp conversations through the gateway: routing, dedupe, statuses, unreadable kinds,
agents' replies within and outside the 24-hour window, and delivery records."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handoff.conversations import flow
from store.conversations import create_handoff
from store.db import session_scope
from store.models import Conversation, Customer, Message, Role, Sender, utcnow
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import deliver
from tests.channels.whatsapp.payloads import WA_ID, notification
from tests.handoff.conftest import add_agent

AGENT_REPLY = {"text": "Halo Kak, saya Rina. Saya cek dulu ya."}


def transcript() -> list[Message]:
    with session_scope() as session:
        messages = list(session.execute(select(Message).order_by(Message.id)).scalars())
        session.expunge_all()
        return messages


def only_conversation() -> Conversation:
    with session_scope() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
        session.expunge(conversation)
        return conversation


def hand_to_agent(client) -> tuple[int, dict[str, str]]:
    """The conversation queued for a person, claimed by Rina: (handoff id, her headers)."""
    conversation_id = only_conversation().id
    with session_scope() as session:
        handoff_id = create_handoff(session, conversation_id=conversation_id,
                                    reason="customer_request", summary="wants a person",
                                    context={}, channel="whatsapp").id
    client.portal.call(flow.announce, conversation_id)  # as when the bot's turn ends
    rina = add_agent("rina", Role.agent, name="Rina")
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200
    return handoff_id, rina.headers


def test_text_message_reaches_the_bot_with_the_whatsapp_channel(client, bot, graph):
    deliver(client, notification(payloads.text("kak pesanan ORD-583920 udah sampai mana?")))
    [(conversation_id, text, metadata)] = bot["messages"]
    assert text == "kak pesanan ORD-583920 udah sampai mana?"
    assert metadata["channel"] == "whatsapp" and metadata["locale"] == "id"
    conversation = only_conversation()
    assert conversation.id == conversation_id and conversation.channel == "whatsapp"
    assert conversation.last_customer_message_at is not None
    assert graph.sent == []  # the customer's own words are not echoed back


def test_redelivered_notification_is_handled_once(client, bot):
    body = notification(payloads.text("halo"))
    deliver(client, body)
    deliver(client, body)
    assert len(bot["messages"]) == 1
    [message] = transcript()
    assert message.external_id == body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]


def test_next_message_continues_the_open_conversation_and_a_closed_one_is_not_reused(
        client, bot):
    deliver(client, notification(payloads.text("halo")))
    deliver(client, notification(payloads.text("ada promo?")))
    assert len({c for c, _t, _m in bot["messages"]}) == 1
    with session_scope() as session:
        session.execute(select(Conversation)).scalar_one().closed_at = utcnow()
    deliver(client, notification(payloads.text("halo lagi")))
    assert len({c for c, _t, _m in bot["messages"]}) == 2


def test_button_and_list_replies_give_the_bot_the_payload_and_people_the_title(client, bot):
    deliver(client, notification(payloads.button_reply("/affirm", "Ya")))
    deliver(client, notification(payloads.list_reply('/rate_effort{"ces_score":"6"}', "6")))
    assert [t for _c, t, _m in bot["messages"]] == ["/affirm", '/rate_effort{"ces_score":"6"}']
    assert [m.text for m in transcript()] == ["Ya", "6"]


def test_whatsapp_customer_is_the_website_customer_with_the_same_phone(client):
    with session_scope() as session:
        session.add(Customer(name="Rina Wijaya", phone="+6281122334455",
                             email="rina.wijaya@example.com"))
    deliver(client, notification(payloads.text("halo")))
    with session_scope() as session:
        [customer] = session.execute(select(Customer)).scalars().all()
        assert (customer.wa_id, customer.name) == (WA_ID, "Rina Wijaya")
        assert only_conversation().customer_id == customer.id


def test_sticker_gets_a_polite_answer_and_the_bot_never_sees_it(client, bot, graph):
    deliver(client, notification(payloads.text("halo kak")))
    deliver(client, notification(payloads.message("sticker", {"id": "media-1",
                                                              "mime_type": "image/webp"})))
    assert len(bot["messages"]) == 1
    [answer] = graph.to(WA_ID)
    assert "hanya bisa membaca pesan teks" in answer["text"]["body"]
    assert [(m.sender, m.text) for m in transcript()][1] == (Sender.customer, "[sticker]")


def test_a_message_over_the_limit_is_never_cut_the_customer_is_asked_to_split_it(
        client, bot, graph):
    from store.transcript import MAX_MESSAGE_CHARS

    deliver(client, notification(payloads.text("halo kak, saya mau tanya soal pesanan")))
    long = payloads.text("kak " + "panjang " * 600)  # WhatsApp allows 4,096 characters
    deliver(client, notification(long))
    assert len(bot["messages"]) == 1  # the bot never got a cut-off half
    [answer] = graph.to(WA_ID)
    assert "terlalu panjang" in answer["text"]["body"]
    assert f"{MAX_MESSAGE_CHARS}" in answer["text"]["body"]
    customer_texts = [m.text for m in transcript() if m.sender == Sender.customer]
    assert customer_texts == ["halo kak, saya mau tanya soal pesanan"]


def test_unknown_kind_in_english_conversation_is_answered_in_english(client, graph):
    deliver(client, notification(payloads.text("hello, where is my order please?")))
    deliver(client, notification(payloads.message("hologram", {"x": 1})))
    assert "I can only read text" in graph.to(WA_ID)[0]["text"]["body"]
    assert "[hologram]" in [m.text for m in transcript()]


def test_agent_sees_a_placeholder_for_media_while_a_person_owns_the_conversation(
        client, bot, graph):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    hand_to_agent(client)
    graph.reset()
    deliver(client, notification(payloads.message("location", {"latitude": -6.2,
                                                               "longitude": 106.8})))
    assert len(bot["messages"]) == 1
    customer = [m for m in transcript() if m.sender == Sender.customer]
    assert customer[-1].text == "[location]" and customer[-1].external_id
    assert any("hanya bisa membaca" in body["text"]["body"] for body in graph.to(WA_ID))


def test_agent_reply_goes_to_the_customers_number_and_records_the_wamid(client, graph):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    handoff_id, headers = hand_to_agent(client)
    assert any("Rina bergabung" in b["text"]["body"] for b in graph.to(WA_ID))
    graph.reset()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", json=AGENT_REPLY,
                           headers=headers)
    assert response.status_code == 201
    [sent] = graph.sent
    assert sent.body["to"] == WA_ID and sent.body["text"]["body"] == AGENT_REPLY["text"]
    agent_message = [m for m in transcript() if m.sender == Sender.agent][0]
    assert agent_message.external_id.startswith("wamid.OUT")
    assert agent_message.delivery_status == "sent"


def test_agent_reply_after_the_24_hour_window_is_refused_with_409(client, graph):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    handoff_id, headers = hand_to_agent(client)
    with session_scope() as session:
        session.execute(select(Conversation)).scalar_one().last_customer_message_at = (
            utcnow() - timedelta(hours=25))
    graph.reset()
    response = client.post(f"/api/v1/handoffs/{handoff_id}/messages", json=AGENT_REPLY,
                           headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == ("The WhatsApp 24-hour window has closed: the customer "
                                          "must write first (or use a template)")
    assert not [m for m in transcript() if m.sender == Sender.agent]
    assert graph.sent == []


def test_no_survey_after_resolving_outside_the_window(client, bot):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    handoff_id, headers = hand_to_agent(client)
    with session_scope() as session:
        session.execute(select(Conversation)).scalar_one().last_customer_message_at = (
            utcnow() - timedelta(hours=25))
    assert client.post(f"/api/v1/handoffs/{handoff_id}/resolve",
                       headers=headers).status_code == 200
    client.portal.call(flow.drain_background)
    assert bot["surveys"] == []


def test_statuses_are_recorded_on_our_message_and_never_become_customer_messages(
        client, bot, graph):
    deliver(client, notification(payloads.text("halo")))
    conversation_id = only_conversation().id
    client.portal.call(flow.bot_message, conversation_id, "Halo Kak, ada yang bisa dibantu?")
    bot_message = [m for m in transcript() if m.sender == Sender.bot][0]
    for state in ("delivered", "read", "sent"):  # a late "sent" does not undo "read"
        deliver(client, notification(statuses=[payloads.status(bot_message.external_id, state)]))
    deliver(client, notification(statuses=[payloads.status("wamid.unknown", "read")]))
    messages = transcript()
    assert [m.sender for m in messages] == [Sender.customer, Sender.bot]
    assert messages[1].delivery_status == "read"
    assert len(bot["messages"]) == 1


def test_failed_status_keeps_metas_error_and_tells_the_agent(client, graph):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    handoff_id, headers = hand_to_agent(client)
    client.post(f"/api/v1/handoffs/{handoff_id}/messages", json=AGENT_REPLY, headers=headers)
    agent_message = [m for m in transcript() if m.sender == Sender.agent][0]
    deliver(client, notification(statuses=[payloads.status(
        agent_message.external_id, "failed",
        errors=[{"code": 131047, "title": "Re-engagement message"}])]))
    messages = transcript()
    failed = next(m for m in messages if m.id == agent_message.id)
    assert (failed.delivery_status, failed.delivery_error) == (
        "failed", "#131047 Re-engagement message")
    assert messages[-1].sender == Sender.system and "Tidak terkirim" in messages[-1].text


def test_send_failure_after_retries_is_recorded_on_the_message(client, graph):
    deliver(client, notification(payloads.text("halo")))
    graph.fail_next(500, 500, 500, 500)
    client.portal.call(flow.bot_message, only_conversation().id, "Halo Kak")
    bot_message = [m for m in transcript() if m.sender == Sender.bot][0]
    assert bot_message.delivery_status == "failed"
    assert "after 4 attempts" in bot_message.delivery_error
    assert len(graph.sent) == 4


def test_ces_question_arrives_as_a_list(client, graph):
    deliver(client, notification(payloads.text("halo")))
    buttons = [{"title": str(n), "payload": f'/rate_effort{{"ces_score":"{n}"}}'}
               for n in range(1, 8)] + [{"title": "Lewati", "payload": "/stop"}]
    client.portal.call(flow.bot_message, only_conversation().id, "Seberapa mudah?", buttons)
    [sent] = graph.to(WA_ID)
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == "list"
    assert len(sent["interactive"]["action"]["sections"][0]["rows"]) == 8


def test_queue_notice_is_sent_only_when_the_bot_did_not_already_say_it(client, graph):
    deliver(client, notification(payloads.text("halo")))
    conversation_id = only_conversation().id
    with session_scope() as session:
        create_handoff(session, conversation_id=conversation_id, reason="customer_request",
                       summary="", context={}, channel="whatsapp")
    client.portal.call(flow.announce, conversation_id)
    assert "antrean" in graph.to(WA_ID)[0]["text"]["body"]
    graph.reset()
    client.portal.call(flow.announce, conversation_id)  # announced again: said already
    assert graph.sent == []
    assert [m.sender for m in transcript()] == [Sender.customer, Sender.system]


def test_idle_conversation_outside_the_window_closes_without_a_survey(client, bot):
    deliver(client, notification(payloads.text("halo")))
    with session_scope() as session:
        session.execute(select(Conversation)).scalar_one().last_customer_message_at = (
            utcnow() - timedelta(hours=25))
    client.portal.call(flow.trigger_idle_survey, only_conversation().id)
    assert bot["surveys"] == []
    assert only_conversation().close_reason == "idle"
