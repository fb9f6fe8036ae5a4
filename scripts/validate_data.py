"""`rasa data validate`, strict: every warning fails except one that is expected.

Rasa warns that a response "is not used in any story or rule" when a custom action sends
it (the order answers, the handoff messages). Those are allowed only if an action in
actions/ really dispatches that response. Rasa also always reports the retrieval intent
`faq` as "duplicated" when it merges NLU data into the domain. Any other warning or error
fails the run.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule")


def dispatched_by_actions() -> set[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "actions").rglob("*.py"))
    source += (ROOT / "domain.yml").read_text()  # utter_ask_* are asked by forms
    return set(re.findall(r"\"(utter_\w+)\"", source)) | set(re.findall(r"utter_ask_\w+", source))


def main() -> int:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        # The same checks as `rasa data validate`; warnings are judged below.
        valid = all([
            validator.verify_domain_validity(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_forms_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
            validator.verify_nlu(ignore_warnings=True),
            validator.verify_story_structure(ignore_warnings=False),
        ])
    allowed = dispatched_by_actions()
    problems = []
    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        if "SQLAlchemy 2.0" in text or "pkg_resources" in text or "auto-fill" in text:
            continue  # library chatter Rasa itself silences, not about our data
        if text.endswith("across multiple domain files: faq"):
            continue  # Rasa merges the retrieval intent from NLU data into the domain itself
        unused = UNUSED.search(text)
        if unused and unused.group(1) in allowed:
            continue
        problems.append(text)
    for problem in problems:
        print(f"data problem: {problem}", file=sys.stderr)
    if not valid or problems:
        print(f"training data is not clean ({len(problems)} problems)", file=sys.stderr)
        return 1
    print("training data is clean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
