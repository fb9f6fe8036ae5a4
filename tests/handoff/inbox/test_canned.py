"""Canned replies for agents, in both languages."""

from __future__ import annotations

import pytest

from handoff.inbox.canned import load_canned_replies
from tests.handoff.conftest import add_agent


def test_every_canned_reply_exists_in_indonesian_and_english():
    replies = load_canned_replies()
    by_language = {lang: [r["id"] for r in replies if r["language"] == lang]
                   for lang in ("id", "en")}
    assert by_language["id"] == by_language["en"]
    assert 8 <= len(by_language["en"]) <= 10
    assert all(reply["title"] and reply["text"] for reply in replies)


def test_agents_get_the_replies_of_one_language(client, shop_db):
    login = add_agent("rina")
    response = client.get("/api/v1/canned-replies?language=en", headers=login.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["language"] for item in items} == {"en"}
    assert "greeting" in [item["id"] for item in items]


def test_without_a_language_both_are_listed(client, shop_db):
    login = add_agent("rina")
    items = client.get("/api/v1/canned-replies", headers=login.headers).json()["items"]
    assert {item["language"] for item in items} == {"id", "en"}


@pytest.mark.parametrize("query,status", [("language=fr", 422), ("", 401)])
def test_bad_language_is_422_and_no_token_401(client, shop_db, query, status):
    headers = add_agent("rina").headers if status == 422 else {}
    response = client.get(f"/api/v1/canned-replies?{query}", headers=headers)
    assert response.status_code == status
