"""Photos in the chat, customer and agent each in a browser of their own, in both languages,
on a desktop and an iPhone: the customer's photo shown in the widget, the bot offering a
person, the agent seeing it in the inbox and answering with a photo and a caption, the
customer seeing that, a reload showing them again; refusals in the widget's language with
nothing stored; ops reading a transcript with its photos."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from handoff.channels.web.widget import file_limits
from handoff.texts import customer_text
from store.db import session_scope
from store.models import Attachment, Role
from tests.browser import seed
from tests.browser.test_inbox import sign_in
from tests.browser.test_inbox_views import agent_page, handoff_of, open_handoff
from tests.browser.test_widget import open_widget
from tests.browser.test_widget_finish import WIDGET, conversation_id, stored, texts
from tests.media import photo

AGENT = {"en": "Rina", "id": "Dewi"}  # by the language of their staff pages
CAPTION = {"en": "This is the label we will use.", "id": "Ini label yang akan kami pakai ya, Kak."}
# What the inbox says when a file is refused (handoff/static/js/i18n.js).
UNSUPPORTED = {
    "en": "Only photos (JPEG, PNG, WebP, HEIC) and videos (MP4, MOV, WebM) can be sent.",
    "id": "Hanya foto (JPEG, PNG, WebP, HEIC) dan video (MP4, MOV, WebM) yang bisa dikirim.",
}
NOT_A_PHOTO = b"Just some text, renamed to look like a photo.\n"


def file(name: str, data: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def choose(page, scope: str, chosen: dict) -> None:
    """What picking a file in the system's file chooser does."""
    page.locator(f"{scope} input[type=file]").set_input_files(chosen)


def assert_loaded(locator) -> None:
    """The picture really arrived (a broken or empty <img> has no natural width)."""
    expect(locator).to_be_visible()
    locator.page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                   arg=locator.element_handle())


def claim_and_wait(page) -> None:
    """Press c and wait until the claimed conversation is shown again (unredacted): a file
    chosen before that would go to the reply box being replaced."""
    with page.expect_response(lambda response: "/api/v1/conversations/" in response.url):
        page.keyboard.press("c")


def attachments_of(conversation: str) -> int:
    with session_scope() as session:
        return session.execute(select(func.count(Attachment.id)).where(
            Attachment.conversation_id == conversation)).scalar_one()


@pytest.mark.parametrize("profile,locale,ui", [("desktop", "id-ID", "en"),
                                               ("iphone", "en-US", "id")])
def test_photos_go_both_ways_and_stay_after_a_reload(open_page, profile, locale, ui,
                                                     save_screenshot):
    language, agent_name = locale[:2], AGENT[ui]
    username = f"{agent_name.lower()}-photos-{ui}"
    seed.create_agent(username, agent_name)
    customer = open_page(profile, locale)
    customer.goto("/")
    open_widget(customer)
    conversation = conversation_id(customer)  # only prepared: the upload stores it
    attach = customer.locator(f"{WIDGET} button.attach")
    expect(attach).to_have_attribute("aria-label", texts(language)["attach"])
    size = attach.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44, size

    choose(customer, WIDGET, file("IMG_0001.jpg", photo("JPEG", size=(320, 240))))
    own = customer.locator(f"{WIDGET} .msg.customer:not(.pending)")
    expect(own).to_have_count(1)
    assert_loaded(own.locator(".attachment img"))
    # The bot cannot look at it and says so, offering a person.
    offer = customer.locator(f"{WIDGET} .msg.bot:not(.welcome)").last
    expect(offer.locator(".text")).to_have_text(
        customer_text("conversation.image_received_by_bot", language))
    offer.locator(".chip", has_text=customer_text("conversation.talk_to_person", language)).click()
    expect(customer.locator(f"{WIDGET} .status")).to_be_visible()  # queued

    agent = agent_page(open_page, username, ui)
    handoff_id = handoff_of(conversation)
    open_handoff(agent, handoff_id)
    view = agent.locator("#conversation")
    assert_loaded(view.locator(".msg.customer .attachment img"))
    expect(view.locator(".msg.customer .attachment figcaption")).to_contain_text("IMG_0001.jpg")
    claim_and_wait(agent)
    expect(view.locator(".attach-button")).to_be_enabled()

    # A file that is not a photo: refused, said in the staff page's language, nothing sent.
    choose(agent, "#conversation .composer", file("label.jpg", NOT_A_PHOTO))
    expect(view.locator(".error")).to_have_text(UNSUPPORTED[ui])
    view.locator(".composer textarea").fill(CAPTION[language])
    choose(agent, "#conversation .composer", file("label.png", photo("PNG", size=(200, 150),
                                                                     colour=(30, 60, 200)),
                                                  "image/png"))
    sent = view.locator(".msg.agent").last
    assert_loaded(sent.locator(".attachment img"))
    expect(sent.locator(".msg-text")).to_have_text(CAPTION[language])
    expect(view.locator(".composer textarea")).to_have_value("")  # it went as the caption
    expect(view.locator(".error")).to_have_text("")

    reply = customer.locator(f"{WIDGET} .msg.agent")
    assert_loaded(reply.locator(".attachment img"))
    expect(reply.locator(".text")).to_have_text(CAPTION[language])
    expect(reply.locator(".who")).to_have_text(agent_name)
    save_screenshot(customer, f"widget-{profile}-photos")
    save_screenshot(agent, f"inbox-photos-{ui}")

    reply.locator(".thumb").click()  # full size over the chat
    viewer = customer.locator(f"{WIDGET} .viewer")
    assert_loaded(viewer.locator("img"))
    customer.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    customer.reload()  # resumed: the replay shows both photos again
    open_widget(customer)
    assert_loaded(customer.locator(f"{WIDGET} .msg.customer .attachment img"))
    assert_loaded(customer.locator(f"{WIDGET} .msg.agent .attachment img"))
    expect(customer.locator(f"{WIDGET} .attachment")).to_have_count(2)
    assert attachments_of(conversation) == 2
    assert customer.errors == [] and agent.errors == []


@pytest.mark.parametrize("locale", ["id-ID", "en-US"])
def test_refused_files_are_explained_in_the_widgets_language_and_nothing_is_stored(
        open_page, locale):
    language, page = locale[:2], open_page("desktop", locale)
    uploads = []
    page.on("request", lambda request: uploads.append(request.url)
            if request.url.endswith("/chat/attachments") else None)
    page.goto("/")
    open_widget(page)
    prepared = conversation_id(page)
    status = page.locator(f"{WIDGET} .status")

    choose(page, WIDGET, file("photo.jpg", NOT_A_PHOTO))  # the server reads the content
    expect(status).to_have_text(customer_text("web.attachment_unsupported_type", language))
    expect(page.locator(f"{WIDGET} .msg:not(.welcome)")).to_have_count(0)
    assert len(uploads) == 1

    limit = file_limits()["image"]
    choose(page, WIDGET, file("huge.jpg", b"\xff\xd8\xff" + bytes(limit)))
    expect(status).to_have_text(texts(language)["fileTooLarge"].format(
        limit=f"{limit / 1024 / 1024:g}"))
    assert len(uploads) == 1  # refused before uploading
    expect(page.locator(f"{WIDGET} .msg:not(.welcome)")).to_have_count(0)
    assert stored(prepared) is None and attachments_of(prepared) == 0
    assert page.errors == []


def test_ops_see_the_photos_of_any_transcript(open_page):
    seed.create_agent("sari-photos", "Sari", Role.ops)
    customer = open_page("desktop", "id-ID")
    customer.goto("/")
    open_widget(customer)
    conversation = conversation_id(customer)
    choose(customer, WIDGET, file("IMG_0002.jpg", photo("JPEG", size=(120, 90))))
    assert_loaded(customer.locator(f"{WIDGET} .msg.customer:not(.pending) .attachment img"))

    ops = open_page("desktop", "en-GB")
    ops.goto("/ops")
    sign_in(ops, "sari-photos")
    ops.locator(f'#results tr[data-id="{conversation}"]').click()
    assert_loaded(ops.locator("#transcript-view .msg.customer .attachment img"))
    assert ops.errors == []
