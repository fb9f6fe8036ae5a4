"""Store policies live in data/knowledge/<language>.yml, one editable file per language.

This module turns them into the Rasa responses the ResponseSelector serves
(`utter_faq/<topic>`), with the Indonesian text as the default variation and the English
one conditioned on language=en, like every other response. Run it after editing:

    python -m nlu.knowledge        # rewrites data/responses/faq.yml
    python -m nlu.knowledge --check  # exit 1 when the generated file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "data" / "knowledge"
RESPONSES_FILE = ROOT / "data" / "responses" / "faq.yml"
FAQ_TOPICS = (
    "shipping_time", "shipping_cost", "shipping_options", "return_policy", "payment_methods",
    "opening_hours", "warranty", "invoice", "account_password",
)
# Not a retrieval topic: the refund request flow says it before offering a person.
OTHER_RESPONSES = {"refund_policy": "utter_refund_policy"}
DEFAULT_LANGUAGE, OTHER_LANGUAGE = "id", "en"


def load_knowledge(language: str, directory: Path = KNOWLEDGE_DIR) -> dict[str, str]:
    path = directory / f"{language}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of topic -> answer")
    missing = [t for t in (*FAQ_TOPICS, *OTHER_RESPONSES) if not str(data.get(t) or "").strip()]
    if missing:
        raise ValueError(f"{path}: missing answers for {', '.join(missing)}")
    return {key: str(value).strip() for key, value in data.items()}


def render_responses(directory: Path = KNOWLEDGE_DIR) -> str:
    default, other = load_knowledge(DEFAULT_LANGUAGE, directory), load_knowledge(
        OTHER_LANGUAGE, directory
    )
    names = {f"utter_faq/{topic}": topic for topic in FAQ_TOPICS}
    names.update({name: key for key, name in OTHER_RESPONSES.items()})
    responses = {
        name: [
            {"text": default[key]},
            {"condition": [{"type": "slot", "name": "language", "value": OTHER_LANGUAGE}],
             "text": other[key]},
        ]
        for name, key in names.items()
    }
    header = (
        "# GENERATED from data/knowledge/*.yml by `python -m nlu.knowledge`: edit those files.\n"
    )
    body = yaml.safe_dump(
        {"version": "3.1", "responses": responses}, allow_unicode=True, sort_keys=False, width=100
    )
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    rendered = render_responses()
    if args.check:
        current = RESPONSES_FILE.read_text(encoding="utf-8") if RESPONSES_FILE.exists() else ""
        if current != rendered:
            print(f"{RESPONSES_FILE} is stale: run python -m nlu.knowledge", file=sys.stderr)
            return 1
        return 0
    RESPONSES_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESPONSES_FILE.write_text(rendered, encoding="utf-8")
    print(f"wrote {RESPONSES_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
