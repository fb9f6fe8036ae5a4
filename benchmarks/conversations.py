"""Whole conversations over the real stack, as a customer has them, judged turn by turn.

The conversations (benchmarks/independent/conversations.yml) were written by someone who
never saw the training data, given only the intent descriptions, the store's policies and
how the assistant should behave (CONVERSATION_BRIEF.md). Each customer turn says what the
bot must do in reply (`expect`). The runner types each turn into a widget WebSocket, waits
until the bot has finished, and reads what the bot did from Rasa's tracker (the response
names of its messages) and the database (a handoff created in that turn).

Prints: routine containment (routine conversations in which every turn was right and no
person was needed), the survey rate at closings, handoffs reached in the turn they were
asked for, made-up FAQ answers to off-topic requests, per-turn accuracy by language, and
every failed turn with the customer's text and the bot's reply.

    python -m benchmarks.conversations [--only en-01,id-07] [--file other.yml]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from handoff.conversations.rasa_client import RasaToken

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "benchmarks" / "independent" / "conversations.yml"
QUIET_SECONDS = 1.5  # the bot's replies to one message arrive together; then it is quiet

_ORDER_STATUS = {"utter_order_processing", "utter_order_on_the_way", "utter_order_delivered",
                 "utter_order_cancelled", "utter_order_delayed"}
# What the bot may send for each expectation (response names from domain.yml).
EXPECTED_RESPONSES: dict[str, set[str]] = {
    "greeting": {"utter_greet"},
    "ask_order_number": {"utter_ask_order_id"},
    "ask_verification": {"utter_ask_verification"},
    "ask_email_and_phone": {"utter_ask_lookup_email", "utter_ask_lookup_phone"},
    "order_list": {"utter_order_list"},
    "order_status": _ORDER_STATUS,
    "cancelled": {"utter_cancel_recorded"},
    "cancel_refused": {"utter_cancel_too_late"},
    "ask_new_address": {"utter_ask_new_address"},
    "address_changed": {"utter_address_change_recorded"},
    "survey": {"utter_ask_ces_score"},
    "survey_followup": {"utter_ask_ces_comment", "utter_survey_thanks", "utter_survey_skipped"},
    "scope": {"utter_out_of_scope"},
    "clarify": {"utter_clarify"},
    "anything_else": {"utter_anything_else", "utter_order_form_left", "utter_ask_what_else",
                      "utter_welcome"},
    "bot_identity": {"utter_iamabot"},
}


@dataclass
class Turn:
    conversation: str
    language: str
    kind: str
    text: str
    expect: str
    said: list[str] = field(default_factory=list)  # response names, in order
    texts: list[str] = field(default_factory=list)
    handed_off: bool = False

    @property
    def faq_answers(self) -> list[str]:
        return [r for r in self.said if r.startswith("utter_faq") or r == "utter_refund_policy"]

    @property
    def ok(self) -> bool:
        if self.expect == "any":
            return True
        if self.expect == "handoff":
            return self.handed_off
        if self.handed_off:
            return False
        if self.expect.startswith("answer:"):
            topic = self.expect.split(":", 1)[1]
            wanted = "utter_refund_policy" if topic == "refund_policy" else f"utter_faq/{topic}"
            return wanted in self.said
        return bool(EXPECTED_RESPONSES[self.expect] & set(self.said))


async def _bot_turn(widget: Any) -> list[dict[str, Any]]:
    """The bot's messages in reply to the last customer message."""
    frames = [await widget.bot_says(timeout=90)]
    while True:
        try:
            frames.append(await widget.bot_says(timeout=QUIET_SECONDS))
        except asyncio.TimeoutError:
            return frames


async def _responses_since(client: httpx.AsyncClient, rasa_url: str, conversation_id: str,
                           seen: int) -> tuple[list[str], int]:
    """Response names of the bot messages in Rasa's tracker after the first `seen` ones."""
    tracker = (await client.get(f"{rasa_url}/conversations/{conversation_id}/tracker")).json()
    bot = [e for e in tracker.get("events", []) if e.get("event") == "bot"]
    names = [(e.get("metadata") or {}).get("utter_action") or "?" for e in bot[seen:]]
    return names, len(bot)


def _handoff_count(conversation_id: str) -> int:
    from sqlalchemy import func, select

    from store.db import session_scope
    from store.models import Handoff

    with session_scope() as session:
        return session.execute(select(func.count()).select_from(Handoff).where(
            Handoff.conversation_id == conversation_id)).scalar_one()


async def run_conversation(stack: Any, spec: dict[str, Any]) -> list[Turn]:
    from benchmarks.stack_runner import Widget

    locale = "en-US" if spec["language"] == "en" else "id-ID"
    widget = await Widget.open(stack.gateway_url, locale=locale)
    turns, seen_bot, handoffs = [], 0, 0
    async with httpx.AsyncClient(timeout=30, auth=RasaToken()) as client:
        for step in spec["turns"]:
            turn = Turn(spec["id"], spec["language"], spec["kind"], str(step["user"]),
                        str(step["expect"]))
            await widget.say(turn.text)
            try:
                turn.texts = [f.get("text") or "" for f in await _bot_turn(widget)]
            except asyncio.TimeoutError:
                turn.texts = ["(no reply)"]
            turn.said, seen_bot = await _responses_since(client, stack.rasa_url,
                                                         widget.conversation_id, seen_bot)
            now = _handoff_count(widget.conversation_id)
            turn.handed_off, handoffs = now > handoffs, now
            turns.append(turn)
    await widget.close()
    return turns


def report(turns: list[Turn]) -> None:
    by_conversation: dict[str, list[Turn]] = collections.defaultdict(list)
    for turn in turns:
        by_conversation[turn.conversation].append(turn)
    routine = [t for t in by_conversation.values() if t[0].kind == "routine"]
    contained = [t for t in routine if all(x.ok for x in t) and not any(x.handed_off for x in t)]
    closings = [t for t in turns if t.expect == "survey"]
    handoffs = [t for t in turns if t.expect == "handoff"]
    off_topic = [t for t in turns if t.expect == "scope"]
    made_up = [t for t in off_topic if t.faq_answers]
    print(f"conversations: {len(by_conversation)}, customer turns: {len(turns)}")
    print(f"routine containment: {len(contained)}/{len(routine)} "
          f"({len(contained) / max(1, len(routine)):.0%})")
    print(f"survey at closings: {sum(t.ok for t in closings)}/{len(closings)} "
          f"({sum(t.ok for t in closings) / max(1, len(closings)):.0%})")
    print(f"requests for a person queued in that turn: {sum(t.ok for t in handoffs)}/"
          f"{len(handoffs)}")
    print(f"off-topic answered with the scope line: {sum(t.ok for t in off_topic)}/"
          f"{len(off_topic)}; made-up FAQ answers to off-topic: {len(made_up)}")
    for language in ("en", "id"):
        own = [t for t in turns if t.language == language]
        print(f"turns right ({language}): {sum(t.ok for t in own)}/{len(own)}")
    failed = [t for t in turns if not t.ok]
    if failed:
        print("\nfailed turns:")
    for turn in failed:
        print(f"- {turn.conversation} expect {turn.expect}: {turn.text!r}\n"
              f"    bot did {turn.said or '-'}{' + handoff' if turn.handed_off else ''}: "
              f"{json.dumps(' | '.join(turn.texts)[:300], ensure_ascii=False)}")


async def main(path: Path, only: set[str] | None) -> None:
    from benchmarks.stack_runner import running_stack

    specs = [c for c in yaml.safe_load(path.read_text())["conversations"]
             if not only or c["id"] in only]
    with running_stack() as stack:
        turns: list[Turn] = []
        for spec in specs:
            turns += await run_conversation(stack, spec)
    report(turns)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=CONVERSATIONS)
    parser.add_argument("--only", help="comma-separated conversation ids")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.file, set(arguments.only.split(",")) if arguments.only else None))
