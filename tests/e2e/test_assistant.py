"""The assistant on the real stack (Rasa, action server, gateway), through the widget socket."""

from __future__ import annotations

from sqlalchemy import select

from scripts.widget_client import Widget
from store.db import session_scope
from store.models import Conversation, SurveyAnswer


def bot_texts(widget: Widget) -> list[str]:
    return [f["text"] for f in widget.frames if f.get("type") == "message"
            and f.get("sender") == "bot"]


async def test_indonesian_order_status_is_revealed_only_after_verification(stack):
    widget = await Widget.open(stack.gateway_url, locale="id-ID")
    await widget.say("halo kak, pesanan ORD-583920 udah sampai mana ya?")
    ask = await widget.bot_says()
    assert "email atau nomor HP" in ask["text"]
    await widget.say("salah@example.com")
    mismatch = await widget.bot_says()
    assert "tidak cocok" in mismatch["text"] and "sisa 2 kali" in mismatch["text"]
    assert "email atau nomor HP" in (await widget.bot_says())["text"]  # asked again
    assert not any("JP5839200123" in text for text in bot_texts(widget))
    await widget.say("rina.wijaya@example.com")
    answer = await widget.bot_says()
    assert "J&T Express" in answer["text"] and "JP5839200123" in answer["text"]
    assert "dalam perjalanan" in answer["text"]
    await widget.close()


async def test_english_question_then_thanks_asks_the_survey_once(stack):
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("How much does shipping cost to Medan?")
    answer = await widget.bot_says()
    assert "200.000" in answer["text"] or "200,000" in answer["text"]
    await widget.say("great, thanks a lot, that's all")
    assert "You're welcome" in (await widget.bot_says())["text"]
    survey = await widget.bot_says()  # in the same turn: no "anything else?" first
    assert "how easy was it" in survey["text"]
    assert [b["title"] for b in survey["buttons"]][:7] == [str(n) for n in range(1, 8)]
    await widget.click("6", '/rate_effort{"ces_score":"6"}')
    comment = await widget.bot_says()
    assert "Anything you'd like to tell us" in comment["text"]
    await widget.say("quick and clear answers")
    thanks = await widget.bot_says()
    assert "Thanks for your feedback" in thanks["text"]
    assert (await widget.next_frame("state", state="closed"))["state"] == "closed"
    with session_scope() as session:
        answers = session.execute(select(SurveyAnswer).where(
            SurveyAnswer.conversation_id == widget.conversation_id)).scalars().all()
        conversation = session.get(Conversation, widget.conversation_id)
    assert [(a.score, a.comment, a.trigger, a.human_involved) for a in answers] == [
        (6, "quick and clear answers", "goodbye", False)]
    assert conversation.close_reason == "goodbye"
    await widget.close()


async def test_quiet_session_gets_the_survey_once_then_closes(stack):
    from datetime import timedelta

    from handoff.conversations import idle
    from store.models import utcnow

    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("hi there")
    assert "Toko Nusa" in (await widget.bot_says())["text"]
    later = utcnow() + timedelta(minutes=11)  # IDLE_MINUTES is 10
    assert (await idle.sweep_once(now=later))["surveyed"] >= 1
    survey = await widget.bot_says()
    assert "how easy was it" in survey["text"]
    await idle.sweep_once(now=later + timedelta(minutes=11))  # still quiet: close, no 2nd ask
    with session_scope() as session:
        asked = session.execute(select(SurveyAnswer).where(
            SurveyAnswer.conversation_id == widget.conversation_id)).scalars().all()
        conversation = session.get(Conversation, widget.conversation_id)
    assert [(a.trigger, a.score) for a in asked] == [("idle", None)]
    assert conversation.close_reason == "idle"
    await widget.close()


async def test_english_customer_typing_an_indonesian_address_stays_in_english(stack):
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("I need to change the delivery address for order 100001")
    assert "email address or phone number" in (await widget.bot_says())["text"]
    await widget.say("siti.rahmawati@example.com")
    assert "new delivery address" in (await widget.bot_says())["text"]
    await widget.say("Jl. Kebon Jeruk Raya No. 27, RT 03/RW 05, Kebon Jeruk, Jakarta Barat 11530")
    recorded = await widget.bot_says()
    assert "Your address change for ORD-100001 is recorded" in recorded["text"]
    await widget.close()


async def test_forgotten_order_number_is_found_by_email_and_phone(stack):
    widget = await Widget.open(stack.gateway_url, locale="id-ID")
    await widget.say("kak mau cek pesanan tapi lupa nomor pesanannya")
    assert "Email apa yang dipakai" in (await widget.bot_says())["text"]
    await widget.say("rina.wijaya@example.com")
    assert "nomor HP" in (await widget.bot_says())["text"]
    await widget.say("0811-2233-4455")
    listed = await widget.bot_says()
    assert sorted(b["title"].split(" ")[0] for b in listed["buttons"]) == [
        "ORD-583920", "ORD-583921"]
    assert "J&T" not in listed["text"]  # nothing about the orders yet
    button = next(b for b in listed["buttons"] if b["title"].startswith("ORD-583920"))
    await widget.click(button["title"], button["payload"])
    answer = await widget.bot_says()  # no second verification: email and phone were proved
    assert "J&T Express" in answer["text"] and "JP5839200123" in answer["text"]
    await widget.close()


async def test_batal_inside_the_order_form_leaves_it_and_no_closes_with_the_survey(stack):
    widget = await Widget.open(stack.gateway_url, locale="id-ID")
    await widget.say("mau cek status pesanan saya")
    assert "nomor pesanan" in (await widget.bot_says())["text"]
    await widget.say("batal")
    assert "tidak jadi" in (await widget.bot_says())["text"]
    await widget.say("nggak, itu aja")
    assert "seberapa mudah" in (await widget.bot_says())["text"]
    await widget.close()


async def test_off_topic_request_gets_the_scope_line_and_a_person_button(stack):
    widget = await Widget.open(stack.gateway_url, locale="en-US")
    await widget.say("can you write an instagram caption for my bakery?")
    reply = await widget.bot_says()
    assert "I can't help with that" in reply["text"]
    assert reply["buttons"][-1]["payload"] == "/request_human"
    await widget.close()
