"""The catalog of customer-facing texts (handoff/texts) and the widget script that carries it."""

from __future__ import annotations

import json
import string

from handoff.channels.web.widget import FILE_LIMITS_MARKER, TEXTS_MARKER, widget_script
from handoff.texts import LANGUAGES, catalog, customer_text, widget_texts
from store import settings


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_texts_with_the_same_placeholders():
    first, *others = LANGUAGES
    for other in others:
        assert catalog(other).keys() == catalog(first).keys()
        for section, texts in catalog(first).items():
            assert catalog(other)[section].keys() == texts.keys(), section
            for name, text in texts.items():
                assert _placeholders(catalog(other)[section][name]) == _placeholders(text), name


def test_an_unknown_language_gets_indonesian():
    assert customer_text("web.rate_limited", "fr") == catalog("id")["web"]["rate_limited"]
    assert customer_text("conversation.agent_joined", None, name="Rina") == (
        "Rina bergabung dalam percakapan.")


def test_the_widget_script_is_served_with_every_language_in_it(client):
    response = client.get("/static/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert TEXTS_MARKER not in response.text
    assert json.dumps(widget_texts(), ensure_ascii=False) in response.text
    assert response.text == widget_script()


def test_the_widget_knows_the_photo_and_video_limits_of_the_settings(client, monkeypatch):
    monkeypatch.setenv("ATTACHMENT_IMAGE_MAX_MB", "2")
    monkeypatch.setenv("ATTACHMENT_VIDEO_MAX_MB", "5")
    settings.get_settings.cache_clear()
    script = client.get("/static/widget.js").text
    settings.get_settings.cache_clear()
    assert FILE_LIMITS_MARKER not in script
    assert 'const MAX_BYTES = {"image": 2097152, "video": 5242880};' in script
