"""Canned replies for the inbox, in Indonesian and English, from canned_replies.yml beside this."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from fastapi import APIRouter, Query

from handoff.auth.deps import InboxAgent
from handoff.inbox.schemas import CannedReplyList

router = APIRouter(tags=["canned replies"])
CANNED_FILE = Path(__file__).resolve().parent / "canned_replies.yml"
LANGUAGES = ("id", "en")


@lru_cache(maxsize=1)
def load_canned_replies(path: Path = CANNED_FILE) -> tuple[dict[str, str], ...]:
    """Every reply in every language as flat rows; a reply missing a language is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for reply in data["replies"]:
        for language in LANGUAGES:
            if not reply.get(language, {}).get("text"):
                raise ValueError(f"canned reply {reply['key']!r} has no {language} text")
            rows.append({"id": reply["key"], "language": language,
                         "title": reply[language]["title"],
                         "text": " ".join(reply[language]["text"].split())})
    return tuple(rows)


@router.get("/canned-replies", response_model=CannedReplyList)
def canned_replies(
    _agent: InboxAgent, language: Annotated[Literal["id", "en"] | None, Query()] = None
) -> dict:
    return {"items": [reply for reply in load_canned_replies()
                      if language is None or reply["language"] == language]}
