"""Photos and videos on WhatsApp, against the fake Graph API: a customer's file downloaded
(lookup, then the URL with the Bearer token) and kept as an attachment, failures answered
politely in the customer's language, and agents' files uploaded and sent with their caption."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import select

from handoff.live import INBOX, hub
from handoff.texts import customer_text
from store import settings
from store.attachments import read_attachment
from store.db import session_scope
from store.models import Attachment, Conversation, Message, Sender, utcnow
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import deliver
from tests.channels.whatsapp.payloads import WA_ID, notification
from tests.channels.whatsapp.test_conversations import hand_to_agent, transcript
from tests.media import GPS_IFD, ORIENTATION, exif_of, mov, mp4, noisy_photo, photo

GREETING = {"id": "halo kak", "en": "hello, where is my order please?"}
pytestmark = pytest.mark.usefixtures("attachment_dir")  # attachments in a temporary folder


def attachments() -> list[tuple[Attachment, bytes]]:
    with session_scope() as session:
        return [(row, read_attachment(row)) for row in
                session.execute(select(Attachment).order_by(Attachment.created_at)).scalars()]


def said_to_customer(graph) -> list[str]:
    """The texts the customer's phone got (text bodies and interactive bodies)."""
    return [body["text"]["body"] if body["type"] == "text" else
            body.get("interactive", {}).get("body", {}).get("text", "")
            for body in graph.to(WA_ID)]


def start(client, graph, language: str = "id") -> None:
    deliver(client, notification(payloads.text(GREETING[language])))
    graph.reset()


# --- in ---------------------------------------------------------------------------------------

def test_customer_photo_is_kept_without_location_and_its_caption_follows_once(
        client, bot, graph):
    start(client, graph)
    sent = photo("JPEG")
    graph.serve("1001", sent, "image/jpeg")
    body = notification(payloads.media("image", "1001", sent, "image/jpeg",
                                       caption="paketnya penyok kak"))
    deliver(client, body)
    deliver(client, body)  # Meta redelivers: handled once

    [(attachment, kept)] = attachments()
    assert (attachment.kind, attachment.content_type) == ("image", "image/jpeg")
    assert GPS_IFD not in exif_of(kept) and exif_of(kept)[ORIENTATION] == 6
    with Image.open(io.BytesIO(kept)) as shown, Image.open(io.BytesIO(sent)) as original:
        assert shown.size == original.size
    assert graph.downloads == ["Bearer test-access-token"]  # one download, with our token
    customer = [m for m in transcript() if m.sender == Sender.customer]
    wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert [(m.text, m.external_id) for m in customer[1:]] == [
        ("", wamid), ("paketnya penyok kak", None)]
    assert customer[1].id == attachment.message_id
    assert [t for _c, t, _m in bot["messages"]] == ["halo kak", "paketnya penyok kak"]
    offer = next(b for b in graph.to(WA_ID) if b["type"] == "interactive")
    assert offer["interactive"]["action"]["buttons"][0]["reply"]["id"] == "/request_human"


def test_customer_video_and_a_photo_sent_as_document_are_kept(client, graph):
    start(client, graph)
    clip, receipt = mp4(b"\x01" * 4096), photo("PNG")
    graph.serve("2001", clip, "video/mp4")
    graph.serve("2002", receipt, "image/png")
    deliver(client, notification(payloads.media("video", "2001", clip, "video/mp4",
                                                caption="ini videonya")))
    deliver(client, notification(payloads.media("document", "2002", receipt, "image/png",
                                                filename="struk belanja.png")))
    (video, video_bytes), (image, _image_bytes) = attachments()
    assert (video.kind, video.content_type, video_bytes) == ("video", "video/mp4", clip)
    assert (image.kind, image.name) == ("image", "struk belanja.png")
    assert "ini videonya" in [m.text for m in transcript()]


def test_a_failed_lookup_is_retried(client, graph):
    start(client, graph)
    sent = photo("JPEG")
    graph.serve("3001", sent, "image/jpeg")
    graph.fail_media_next("lookup", 500)
    graph.fail_media_next("download", 503)
    deliver(client, notification(payloads.media("image", "3001", sent, "image/jpeg")))
    assert len(attachments()) == 1 and len(graph.downloads) == 2


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("case", "answer"), [
    ("unknown_media_id", "whatsapp.not_downloaded"),
    ("metas_trouble", "whatsapp.not_downloaded"),
    ("hash_mismatch", "whatsapp.not_downloaded"),
    ("declared_too_large", "whatsapp.media_too_large"),
    ("pdf", "whatsapp.media_unsupported_type"),
    ("not_really_a_jpeg", "whatsapp.media_unsupported_type"),
])
def test_a_file_we_cannot_keep_is_answered_politely_and_nothing_is_stored(
        client, bot, graph, case, answer, language):
    start(client, graph, language)
    data, mime, kind = photo("JPEG"), "image/jpeg", "image"
    if case == "metas_trouble":
        graph.fail_media_next("lookup", 500, 500, 500, 500)
    if case == "hash_mismatch":
        graph.serve("4001", data, mime, sha256="00" * 32)
    if case == "declared_too_large":
        graph.serve("4001", data, mime, file_size=50 * 1024 * 1024)
    if case == "pdf":
        data, mime, kind = b"%PDF-1.7 invoice", "application/pdf", "document"
    if case == "not_really_a_jpeg":
        data = b"\xff\xd8\xff\xe0" + b"junk" * 50
    if case in ("pdf", "not_really_a_jpeg", "metas_trouble"):
        graph.serve("4001", data, mime)
    deliver(client, notification(payloads.media(kind, "4001", data, mime, caption="tolong")))

    folder = settings.get_settings().attachments.folder
    assert attachments() == [] and not (folder.exists() and any(folder.iterdir()))
    values = {"limit_mb": "10"} if answer == "whatsapp.media_too_large" else {}
    assert said_to_customer(graph)[0] == customer_text(answer, language, **values)
    assert graph.downloads == ([] if case in ("unknown_media_id", "metas_trouble", "pdf",
                                               "declared_too_large") else [graph.downloads[0]])
    customer = [m.text for m in transcript() if m.sender == Sender.customer]
    assert customer[1:] == [f"[{kind}]", "tolong"]  # the agent sees something came
    assert bot["messages"][-1][1] == "tolong"  # the caption still reaches the bot


def test_a_download_larger_than_it_was_declared_is_cut_off(
        client, graph, monkeypatch):
    monkeypatch.setenv("ATTACHMENT_IMAGE_MAX_MB", "0.01")  # about 10 KB
    settings.get_settings.cache_clear()
    start(client, graph, "en")
    big = noisy_photo((100, 100))
    graph.serve("5001", big, "image/png", file_size=1000)
    deliver(client, notification(payloads.media("image", "5001", big, "image/png")))
    assert attachments() == []
    assert said_to_customer(graph) == [customer_text("whatsapp.media_too_large", "en",
                                                     limit_mb="0.01")]


def test_the_agent_who_owns_the_conversation_gets_the_photo_in_the_inbox(
        client, bot, graph):
    deliver(client, notification(payloads.text("mau ngomong sama CS")))
    hand_to_agent(client)
    graph.reset()
    sent = photo("PNG")
    graph.serve("6001", sent, "image/png")
    with client.portal.wrap_async_context_manager(hub.subscribe(INBOX)) as queue:
        deliver(client, notification(payloads.media("image", "6001", sent, "image/png")))
        events = [client.portal.call(queue.get) for _ in range(queue.qsize())]
    [event] = [e for e in events if e["event"] == "message"]
    attachment = event["data"]["message"]["attachment"]
    assert (attachment["kind"], attachment["content_type"]) == ("image", "image/png")
    assert graph.to(WA_ID) == []  # no bot offer: a person is there
    assert len(bot["messages"]) == 1


# --- out --------------------------------------------------------------------------------------

@pytest.fixture
def handoff(client, graph) -> tuple[int, dict[str, str]]:
    """A WhatsApp conversation Rina owns: (handoff id, her headers); nothing sent yet."""
    deliver(client, notification(payloads.text(GREETING["id"])))
    claimed = hand_to_agent(client)
    graph.reset()
    return claimed


def send_file(client, handoff: tuple[int, dict[str, str]], data: bytes, caption: str = "",
              name: str = "foto.jpg"):
    """Rina's photo or video through the inbox's upload route."""
    handoff_id, headers = handoff
    return client.post(f"/api/v1/handoffs/{handoff_id}/attachments", content=data,
                       headers={**headers, "X-File-Name": name, "X-Caption": quote(caption),
                                "Content-Type": "application/octet-stream"})


def agent_message() -> Message:
    return [m for m in transcript() if m.sender == Sender.agent][-1]


def test_agent_photo_is_uploaded_and_sent_with_its_caption(client, graph, handoff):
    answer = send_file(client, handoff, photo("JPEG"), "Ini foto paketnya, Kak")
    assert answer.status_code == 201, answer.text
    [(_row, kept)] = attachments()
    [upload] = graph.uploads
    assert (upload.fields, upload.content_type, upload.data) == (
        {"messaging_product": "whatsapp", "type": "image/jpeg"}, "image/jpeg", kept)
    assert upload.authorization == "Bearer test-access-token"
    [sent] = graph.to(WA_ID)
    media_id = sent["image"]["id"]
    assert sent["type"] == "image" and media_id.endswith("0042")
    assert sent["image"] == {"id": media_id, "caption": "Ini foto paketnya, Kak"}
    message = agent_message()
    assert message.delivery_status == "sent" and message.external_id.startswith("wamid.OUT")


def test_webp_goes_as_jpeg_and_mov_as_a_document(client, graph, handoff):
    send_file(client, handoff, photo("WEBP"), name="label.webp")
    send_file(client, handoff, mov(), "Videonya", name="unboxing.mov")
    image, video = graph.to(WA_ID)
    assert [u.content_type for u in graph.uploads] == ["image/jpeg", "video/quicktime"]
    assert graph.uploads[0].data.startswith(b"\xff\xd8\xff")
    assert image["type"] == "image"
    assert video["type"] == "document"
    assert video["document"]["filename"] == "unboxing.mov"
    assert video["document"]["caption"] == "Videonya"
    assert graph.uploads[1].data == mov()


def test_a_caption_over_1024_characters_follows_the_photo_as_text(client, graph, handoff):
    caption = "Kak, " + "ini penjelasan panjang. " * 60
    send_file(client, handoff, photo("JPEG"), caption)
    image, text = graph.to(WA_ID)
    assert "caption" not in image["image"]
    assert text["text"]["body"] == caption.strip()
    assert agent_message().external_id == graph.sent[0].wamid  # the photo's, not the text's


def test_a_failed_upload_is_recorded_on_the_message(client, graph, handoff):
    graph.fail_media_next("upload", 400)
    send_file(client, handoff, photo("JPEG"), "Ini fotonya")
    message = agent_message()
    assert message.delivery_status == "failed" and "HTTP 400" in message.delivery_error
    assert graph.to(WA_ID) == []  # no message without its file


@pytest.mark.parametrize("language", ["id", "en"])
def test_outside_the_window_the_template_says_a_photo_waits_and_the_agent_is_told(
        client, graph, monkeypatch, language):
    monkeypatch.setenv("WHATSAPP_TEMPLATE_NAME", "support_reply")
    settings.get_settings.cache_clear()
    deliver(client, notification(payloads.text(GREETING[language])))
    handoff = hand_to_agent(client)
    with session_scope() as session:
        session.execute(select(Conversation)).scalar_one().last_customer_message_at = (
            utcnow() - timedelta(hours=25))
    graph.reset()
    send_file(client, handoff, photo("JPEG"), "Ini fotonya")
    [sent] = graph.to(WA_ID)
    assert sent["type"] == "template" and graph.uploads == []
    [parameter] = sent["template"]["components"][0]["parameters"]
    assert parameter["text"] == customer_text("whatsapp.image_waiting", language) + " Ini fotonya"
    message = agent_message()
    assert message.delivery_status == "sent" and "not sent" in message.delivery_error
    assert transcript()[-1].sender == Sender.system  # the inbox shows it


def test_hashes_in_hex_and_base64_are_both_checked():
    from handoff.channels.whatsapp.media import _hash_matches

    digest = hashlib.sha256(b"x")
    assert _hash_matches(b"x", digest.hexdigest())
    assert _hash_matches(b"x", payloads.media("image", "1", b"x", "image/jpeg")["image"]["sha256"])
    assert not _hash_matches(b"y", digest.hexdigest())

