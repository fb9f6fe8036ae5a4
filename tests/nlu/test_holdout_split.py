"""The held-out split stays held out: no held-out message is also a training example."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]+\)|\{[^}]+\})")


def examples(files: list[Path]) -> set[str]:
    found = set()
    for path in files:
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                text = ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    found.add(" ".join(text.lower().split()))
    return found


def test_no_held_out_message_is_trained_on():
    training = examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    held_out = examples(sorted((ROOT / "benchmarks" / "holdout").glob("holdout_*.yml")))
    off_topic = {" ".join(t.lower().split()) for t in yaml.safe_load(
        (ROOT / "benchmarks" / "holdout" / "off_topic.yml").read_text())["off_topic"]}
    assert len(held_out) > 400 and len(off_topic) >= 50
    assert training & held_out == set()
    assert training & off_topic == set()


def test_no_independent_message_is_trained_on():
    """The independent writer's sets (benchmarks/independent/) never reach the training data."""
    training = examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    independent = examples(sorted((ROOT / "benchmarks" / "independent").glob("nlu_*.yml")))
    conversations = yaml.safe_load(
        (ROOT / "benchmarks" / "independent" / "conversations.yml").read_text())["conversations"]
    turns = {" ".join(str(t["user"]).lower().split()) for c in conversations for t in c["turns"]}
    assert len(independent) > 1000 and len(conversations) >= 40
    assert training & independent == set()
    # Bare data ("6", an email) may coincide; a customer's sentence may not.
    assert {t for t in training & turns if len(t.split()) > 2} == set()
