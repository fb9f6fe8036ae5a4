"""Photos and videos through the gateway: a customer's from the widget, an agent's from the
inbox; checked by content, stored under random names without location, and served only to
staff with access and the conversation's own customer."""

from __future__ import annotations

import io
import stat

import pytest
from PIL import Image
from sqlalchemy import func, select

from handoff.texts import customer_text
from store import settings
from store.conversations import create_handoff
from store.db import session_scope
from store.models import Attachment, Message, Role, utcnow
from tests.handoff.conftest import add_agent
from tests.handoff.conversations.test_flow import receive_until
from tests.media import GPS_IFD, ORIENTATION, exif_of, mp4, noisy_photo, photo


def start(ws, locale: str) -> dict:
    ws.send_json({"type": "start", "locale": locale})
    conversation = receive_until(ws, "conversation")
    receive_until(ws, "state")
    return conversation


def upload(client, conversation: dict, data: bytes, *, name: str = "IMG_0001.HEIC",
           language: str = "en", client_id: str | None = "up-1", token: str | None = None):
    headers = {"X-Conversation-Id": conversation["conversation_id"],
               "X-Conversation-Token": token or conversation["token"],
               "X-File-Name": name, "X-Language": language,
               "Content-Type": "application/octet-stream"}
    if client_id:
        headers["X-Client-Message-Id"] = client_id
    return client.post("/chat/attachments", content=data, headers=headers)


def queue_for_person(conversation_id: str) -> int:
    with session_scope() as session:
        handoff = create_handoff(session, conversation_id=conversation_id, reason="complaint",
                                 summary="damaged parcel", context={})
        handoff.announced_at = utcnow()
        session.flush()
        return handoff.id


def stored_files(folder) -> list:
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("locale,language", [("en-US", "en"), ("id-ID", "id")])
def test_a_customer_photo_is_kept_without_location_and_the_bot_offers_a_person(
        client, attachment_dir, locale, language):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, locale)
        answer = upload(client, conversation, photo("JPEG"), name="../../etc/passwd.jpg",
                        language=language)
        assert answer.status_code == 201, answer.text
        message = answer.json()["message"]
        echo = receive_until(ws, "message")
        offer = receive_until(ws, "message")
    attachment = message["attachment"]
    assert echo["attachment"] == attachment and echo["sender"] == "customer"
    assert (attachment["kind"], attachment["content_type"]) == ("image", "image/jpeg")
    assert attachment["name"] == "passwd.jpg"  # no path survives
    assert offer["sender"] == "bot"
    assert offer["text"] == customer_text("conversation.image_received_by_bot", language)
    assert offer["buttons"] == [{"title": customer_text("conversation.talk_to_person", language),
                                 "payload": "/request_human"}]
    [kept] = stored_files(attachment_dir)
    assert "passwd" not in kept.name and kept.suffix == ".jpg"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(attachment_dir.stat().st_mode) == 0o700
    served = client.get(attachment["url"], headers={"X-Conversation-Token": conversation["token"]})
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content == kept.read_bytes()
    assert served.headers["cache-control"] == "no-store"
    assert served.headers["x-content-type-options"] == "nosniff"
    exif = exif_of(served.content)
    assert exif.get_ifd(GPS_IFD) == {} and exif[ORIENTATION] == 6  # where: gone; upright: kept


def test_heic_becomes_an_upright_jpeg_and_videos_are_kept_as_sent(client, attachment_dir):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        heic = upload(client, conversation, photo("HEIF", size=(64, 48)), name="IMG_7.HEIC")
        video = upload(client, conversation, mp4(), name="unboxing.mov", client_id="up-2")
    assert heic.status_code == 201 and video.status_code == 201, (heic.text, video.text)
    image = heic.json()["message"]["attachment"]
    assert (image["content_type"], image["name"]) == ("image/jpeg", "IMG_7.jpg")
    clip = video.json()["message"]["attachment"]
    assert (clip["kind"], clip["content_type"], clip["name"]) == (
        "video", "video/mp4", "unboxing.mp4")  # the type is what the bytes are, not the name
    token = {"X-Conversation-Token": conversation["token"]}
    assert client.get(clip["url"], headers=token).content == mp4()
    with Image.open(io.BytesIO(client.get(image["url"], headers=token).content)) as shown:
        assert shown.size == (48, 64)  # turned upright as its orientation said


@pytest.mark.parametrize("language", ["en", "id"])
def test_refused_uploads_say_why_in_the_customers_language_and_store_nothing(
        client, attachment_dir, monkeypatch, language):
    monkeypatch.setenv("ATTACHMENT_IMAGE_MAX_MB", "0.01")  # about 10 KB
    settings.get_settings.cache_clear()
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, f"{language}-XX")
        too_big = upload(client, conversation, noisy_photo((100, 100)),
                         language=language)
        script = upload(client, conversation, b"<script>alert(1)</script>", name="x.jpg",
                        language=language)
        fake_jpeg = upload(client, conversation, b"\xff\xd8\xff\xe0" + b"junk" * 50,
                           language=language)
        empty = upload(client, conversation, b"", language=language)
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "too_large" and too_big.json()["limit"] == 10485
    assert too_big.json()["detail"] == customer_text("web.attachment_too_large", language,
                                                     limit_mb="0.01")
    for refused in (script, fake_jpeg):
        assert refused.status_code == 415
        assert refused.json()["detail"] == customer_text("web.attachment_unsupported_type",
                                                         language)
    assert empty.status_code == 400 and empty.json()["error"] == "empty"
    assert stored_files(attachment_dir) == []
    with session_scope() as session:
        assert session.execute(select(func.count(Message.id))).scalar_one() == 0
        assert session.execute(select(func.count(Attachment.id))).scalar_one() == 0


def test_a_retried_upload_is_stored_once(client, attachment_dir):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        first = upload(client, conversation, photo(), client_id="same")
        again = upload(client, conversation, photo(), client_id="same")
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    with session_scope() as session:
        assert session.execute(select(func.count(Attachment.id))).scalar_one() == 1


def test_an_unknown_conversation_or_wrong_token_is_refused(client, attachment_dir):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        assert upload(client, conversation, photo(), client_id="a").status_code == 201
        wrong = upload(client, conversation, photo(), token="not-the-token", client_id="b")
    assert wrong.status_code == 404 and wrong.json()["error"] == "unknown_conversation"
    made_up = upload(client, {"conversation_id": "../x", "token": "t"}, photo())
    assert made_up.status_code == 404


def test_files_are_served_to_staff_with_access_and_the_customer_only(client, attachment_dir):
    rina, olivia = add_agent("rina", Role.agent), add_agent("olivia", Role.ops)
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        url = upload(client, conversation, photo()).json()["message"]["attachment"]["url"]
    with client.websocket_connect("/ws/chat") as ws:
        stranger = start(ws, "en-US")
        upload(client, stranger, photo(), client_id="s")  # stores the stranger's conversation

    def status(headers: dict) -> int:
        return client.get(url, headers=headers).status_code

    assert status({}) == 404
    assert status({"X-Conversation-Token": stranger["token"]}) == 404
    assert status({"Authorization": "Bearer not-a-token"}) == 404
    assert status(rina.headers) == 404  # the conversation never reached the inbox
    assert status(olivia.headers) == 200  # ops review every conversation
    queue_for_person(conversation["conversation_id"])
    assert status(rina.headers) == 200
    assert client.get("/attachments/0123456789abcdef0123456789abcdef",
                      headers=olivia.headers).status_code == 404


def test_an_agent_sends_a_photo_with_a_caption_to_the_customer(client, attachment_dir):
    rina, budi = add_agent("rina"), add_agent("budi")
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        upload(client, conversation, photo())  # the parcel, broken: stores the conversation
    handoff_id = queue_for_person(conversation["conversation_id"])
    assert client.post(f"/api/v1/handoffs/{handoff_id}/claim",
                       headers=rina.headers).status_code == 200

    def send(login, data: bytes):
        return client.post(f"/api/v1/handoffs/{handoff_id}/attachments", content=data,
                           headers={**login.headers, "X-File-Name": "label%20photo.png",
                                    "X-Caption": "Is%20this%20your%20label%3F"})

    assert send(budi, photo("PNG")).status_code == 409  # not budi's handoff
    refused = send(rina, b"GIF89a not taken")
    assert refused.status_code == 415 and refused.json()["detail"]["error"] == "unsupported_type"
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "resume", "conversation_id": conversation["conversation_id"],
                      "token": conversation["token"], "after_seq": 0})
        sent = send(rina, photo("PNG"))
        assert sent.status_code == 201, sent.text
        message = sent.json()
        frames = [receive_until(ws, "message") for _ in range(message["seq"])]
    assert message["text"] == "Is this your label?"
    assert message["attachment"]["name"] == "label photo.png"
    shown = frames[-1]  # the customer's widget shows it, with the caption
    assert (shown["seq"], shown["sender"], shown["text"]) == (
        message["seq"], "agent", "Is this your label?")
    assert shown["attachment"] == message["attachment"]
    listed = client.get(f"/api/v1/handoffs/{handoff_id}", headers=rina.headers).json()
    assert listed["last_message"]["attachment_kind"] == "image"  # the inbox list says "[Photo]"
    served = client.get(message["attachment"]["url"],
                        headers={"X-Conversation-Token": conversation["token"]})
    assert served.status_code == 200 and exif_of(served.content).get_ifd(GPS_IFD) == {}


def test_a_widget_on_the_stores_own_site_may_upload_and_nothing_else_opens(
        shop_db, monkeypatch, attachment_dir):
    from fastapi.testclient import TestClient

    from handoff.app import create_app

    monkeypatch.setenv("WIDGET_ORIGINS", "https://tokonusa.example, https://m.tokonusa.example/")
    settings.get_settings.cache_clear()
    with TestClient(create_app(idle_sweeper=False)) as client:
        def preflight(path: str, origin: str):
            return client.options(path, headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-conversation-token,x-conversation-id"})

        allowed = preflight("/chat/attachments", "https://m.tokonusa.example")
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://m.tokonusa.example"
        assert preflight("/chat/attachments", "https://evil.example").status_code == 400
        staff_api = preflight("/api/v1/handoffs", "https://tokonusa.example")
        assert "access-control-allow-origin" not in staff_api.headers
        with client.websocket_connect("/ws/chat") as ws:
            conversation = start(ws, "en-US")
            answer = client.post("/chat/attachments", content=photo(), headers={
                "Origin": "https://tokonusa.example",
                "X-Conversation-Id": conversation["conversation_id"],
                "X-Conversation-Token": conversation["token"]})
        assert answer.status_code == 201
        assert answer.headers["access-control-allow-origin"] == "https://tokonusa.example"
