"""Which NLU pipeline generalises best? Train variants, score them on the independent set.

Each variant is config.yml's pipeline with a few changes, trained NLU-only into a temporary
directory and scored on benchmarks/independent/ (a writer who never saw the training data):
macro-F1 per language (any fallback counts as out_of_scope), in-scope accuracy, off-topic
recall, and training seconds. config.yml keeps the winner.

    python -m benchmarks.nlu_pipelines [--only lemma,logreg]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.nlu_eval import evaluate_independent

ROOT = Path(__file__).resolve().parent.parent
Pipeline = list[dict[str, Any]]


def _component(pipeline: Pipeline, name: str, **match: Any) -> dict[str, Any]:
    return next(c for c in pipeline if c["name"] == name
                and all(c.get(k) == v for k, v in match.items()))


def _words_raw(pipeline: Pipeline) -> None:
    _component(pipeline, "CountVectorsFeaturizer", analyzer=None)["use_lemma"] = False


def _chars(low: int, high: int) -> Callable[[Pipeline], None]:
    def change(pipeline: Pipeline) -> None:
        chars = _component(pipeline, "CountVectorsFeaturizer", analyzer="char_wb")
        chars.update(min_ngram=low, max_ngram=high)
    return change


def _no_chars(pipeline: Pipeline) -> None:
    pipeline.remove(_component(pipeline, "CountVectorsFeaturizer", analyzer="char_wb"))


def _diet(epochs: int) -> Callable[[Pipeline], None]:
    def change(pipeline: Pipeline) -> None:
        index = pipeline.index(_component(pipeline, "LogisticRegressionClassifier"))
        pipeline[index] = {"name": "DIETClassifier", "epochs": epochs, "random_state": 42,
                           "entity_recognition": False, "constrain_similarities": True}
    return change


VARIANTS: dict[str, list[Callable[[Pipeline], None]]] = {
    "current": [],
    "no_stemming": [_words_raw],
    "no_chars": [_no_chars],
    "chars_1_5": [_chars(1, 5)],
    "chars_3_5": [_chars(3, 5)],
    "diet_40_epochs": [_diet(40)],
}


def variant_config(changes: list[Callable[[Pipeline], None]]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config = copy.deepcopy(config)
    for change in changes:
        change(config["pipeline"])
    config.pop("policies", None)
    return config


def train(name: str, config: dict[str, Any], out: Path) -> tuple[Path, float]:
    config_path = out / f"{name}.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(config_path),
         "--nlu", "data", "--domain", "domain.yml", "--out", str(out),
         "--fixed-model-name", name],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return out / f"{name}.tar.gz", time.monotonic() - started


async def score(model: Path) -> dict[str, dict]:
    from rasa.core.agent import Agent

    return await evaluate_independent(Agent.load(str(model)), verbose=False)


def main(names: list[str]) -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    print(f"{'variant':16} {'train s':>7}  " + "  ".join(
        f"{lang}: {'F1':>5} {'in-acc':>6} {'off':>5}" for lang in ("en", "id")))
    with tempfile.TemporaryDirectory(prefix="nlu-variants-") as root:
        for name in names:
            model, seconds = train(name, variant_config(VARIANTS[name]), Path(root))
            results = asyncio.run(score(model))
            print(f"{name:16} {seconds:7.0f}  " + "  ".join(
                f"{lang}: {r['macro_f1']:5.3f} {r['in_scope_accuracy']:6.1%} "
                f"{r['off_topic_recall']:5.1%}" for lang, r in results.items()), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated variant names (default: all)")
    arguments = parser.parse_args()
    main(arguments.only.split(",") if arguments.only else list(VARIANTS))
