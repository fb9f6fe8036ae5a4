"""NLU on text nobody trained on: the independent writer's set and the held-out split.

benchmarks/independent/ was written by someone given only the intent descriptions and
the store's policies (BRIEF.md); benchmarks/holdout/ by the training data's writer.

Prints per-intent precision/recall/F1 and the top confusions per language, the entity
extraction score, the fallback rate on off-topic text, and a sweep of the
FallbackClassifier threshold (in-domain answered vs off-topic caught), which is how the
threshold in config.yml was chosen.

    python -m benchmarks.nlu_eval [--model models/<hash>.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "benchmarks" / "holdout"
INDEPENDENT = ROOT / "benchmarks" / "independent"
FALLBACK = {"nlu_fallback", "out_of_scope"}


def load_examples(path: Path) -> list[dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        label = message.get("intent_response_key") or message.get("intent")
        entities = {(e["entity"], e["start"], e["end"]) for e in message.get("entities") or []}
        examples.append({"text": message.get("text"), "label": label, "entities": entities})
    return examples


def predicted_label(parse: dict[str, Any]) -> tuple[str, str, float]:
    """(label after fallback, best non-fallback label, its confidence)."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    best = ranking[0] if ranking else parse["intent"]
    name = best["name"]
    if name == "faq":
        selected = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
        name = selected.get("intent_response_key") or name
    final = "nlu_fallback" if parse["intent"]["name"] == "nlu_fallback" else name
    return final, name, float(best.get("confidence") or 0.0)


def scores(pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float, float, int]]:
    labels = sorted({gold for gold, _ in pairs})
    table = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = (precision, recall, f1, tp + fn)
    return table


def entity_f1(results: list[tuple[set, set]]) -> tuple[float, float, float, int]:
    tp = sum(len(gold & found) for gold, found in results)
    fp = sum(len(found - gold) for gold, found in results)
    fn = sum(len(gold - found) for gold, found in results)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp + fn


async def parse_all(agent: Any, texts: list[str]) -> list[dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def report_language(language: str, examples: list[dict], parses: list[dict]) -> list[tuple]:
    pairs = [(ex["label"], predicted_label(p)[0]) for ex, p in zip(examples, parses, strict=True)]
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    print(f"\n## {language}: {len(pairs)} held-out messages, accuracy {accuracy:.1%}")
    print(f"{'intent':34} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>4}")
    table = scores(pairs)
    for label, (precision, recall, f1, support) in table.items():
        print(f"{label:34} {precision:6.2f} {recall:6.2f} {f1:6.2f} {support:4d}")
    macro = sum(v[2] for v in table.values()) / len(table)
    print(f"{'macro F1':34} {'':>6} {'':>6} {macro:6.2f}")
    confusions = collections.Counter((g, p) for g, p in pairs if g != p).most_common(5)
    print("top confusions: " + "; ".join(f"{g} → {p} ×{n}" for (g, p), n in confusions))
    found = [(ex["entities"], {(e["entity"], e["start"], e["end"]) for e in p["entities"]})
             for ex, p in zip(examples, parses, strict=True)]
    return found


def threshold_sweep(in_domain: list[dict], off_topic: list[dict]) -> None:
    print("\n## FallbackClassifier threshold sweep (held-out in-domain vs off-topic)")
    print(f"{'threshold':>9} {'in-domain answered':>19} {'…correctly':>11} "
          f"{'off-topic caught':>17}")
    for threshold in (0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8):
        answered = correct = 0
        for parse, gold in in_domain:
            _, best, confidence = predicted_label(parse)
            if confidence >= threshold and best not in FALLBACK:
                answered += 1
                correct += best == gold
        caught = sum(
            1 for parse in off_topic
            if predicted_label(parse)[2] < threshold or predicted_label(parse)[1] in FALLBACK
        )
        print(f"{threshold:9.2f} {answered / len(in_domain):19.1%} "
              f"{correct / len(in_domain):11.1%} {caught / len(off_topic):17.1%}")


def independent_figures(examples: list[dict], parses: list[dict]) -> dict[str, float]:
    """Accuracy, macro-F1 and off-topic recall where any fallback counts as out_of_scope."""
    pairs = []
    for example, parse in zip(examples, parses, strict=True):
        predicted = predicted_label(parse)[0]
        pairs.append((example["label"], "out_of_scope" if predicted in FALLBACK else predicted))
    table = scores(pairs)
    in_scope = [(g, p) for g, p in pairs if g != "out_of_scope"]
    off_topic = [(g, p) for g, p in pairs if g == "out_of_scope"]
    return {
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "macro_f1": sum(v[2] for v in table.values()) / len(table),
        "in_scope_accuracy": sum(g == p for g, p in in_scope) / max(1, len(in_scope)),
        "off_topic_recall": sum(p == "out_of_scope" for _, p in off_topic) / max(1, len(off_topic)),
        "pairs": pairs,
    }


async def evaluate_independent(agent: Any, verbose: bool = True) -> dict[str, dict]:
    """The independent writer's sets (benchmarks/independent/), one report per language."""
    results = {}
    for language in ("en", "id"):
        examples = load_examples(INDEPENDENT / f"nlu_{language}.yml")
        parses = await parse_all(agent, [ex["text"] for ex in examples])
        figures = independent_figures(examples, parses)
        results[language] = figures
        if verbose:
            report_language(f"independent {language}", examples, parses)
            print(f"in-scope accuracy {figures['in_scope_accuracy']:.1%}, off-topic recall "
                  f"{figures['off_topic_recall']:.1%}, macro F1 (fallback = out_of_scope) "
                  f"{figures['macro_f1']:.3f}")
    return results


async def main(model: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise Rasa logs every parse at debug level

    agent = Agent.load(str(model))
    print("# Independent writer's set (never seen by whoever wrote the training data)")
    await evaluate_independent(agent)
    print("\n# Held-out split (same writer as the training data)")
    all_entities, in_domain = [], []
    for language in ("en", "id"):
        examples = load_examples(HOLDOUT / f"holdout_{language}.yml")
        parses = await parse_all(agent, [ex["text"] for ex in examples])
        all_entities += report_language(language, examples, parses)
        in_domain += [(p, ex["label"]) for ex, p in zip(examples, parses, strict=True)]
    precision, recall, f1, support = entity_f1(all_entities)
    print(f"\n## entities (order_id, email, phone; exact span): precision {precision:.2f}, "
          f"recall {recall:.2f}, F1 {f1:.2f} over {support} annotated entities")
    off_topic_texts = yaml.safe_load((HOLDOUT / "off_topic.yml").read_text())["off_topic"]
    off_topic = await parse_all(agent, off_topic_texts)
    caught = sum(predicted_label(p)[0] in FALLBACK for p in off_topic)
    print(f"\n## off-topic: {caught}/{len(off_topic)} ({caught / len(off_topic):.1%}) land in "
          "the fallback (nlu_fallback or out_of_scope)")
    threshold_sweep(in_domain, off_topic)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="default: the current cached model")
    arguments = parser.parse_args()
    if arguments.model is None:
        from scripts.train import ensure_model

        arguments.model = ensure_model()
    asyncio.run(main(arguments.model))
