"""The layout's rules, read from the import statements: each folder is one box of
docs/architecture.md and imports only from the boxes below it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top-level packages and what each may import (the store and nlu are the bottom).
ALLOWED = {
    "nlu": set(),
    "store": {"nlu"},
    "actions": {"store", "nlu"},
    "handoff": {"store", "nlu"},
    "scripts": {"handoff", "store", "nlu", "actions"},
    "benchmarks": {"scripts", "handoff", "store", "nlu"},
}
# Inside the gateway, lowest first; a module imports only from its own rank or below.
HANDOFF_RANKS = (
    ("handoff", "handoff.live", "handoff.texts", "handoff.serialize", "handoff.schemas",
     "handoff.redaction", "handoff.web_security", "handoff.database_busy",
     "handoff.summaries", "handoff.monitoring", "handoff.json_logs"),
    ("handoff.channels", "handoff.channels.*", "handoff.channels.*.outbound",
     "handoff.channels.*.graph_api", "handoff.channels.*.media", "handoff.channels.web.widget",
     "handoff.channels.web.flood", "handoff.channels.web.offline"),
    ("handoff.conversations", "handoff.conversations.*"),
    ("handoff.auth", "handoff.auth.*", "handoff.attachment_files"),
    ("handoff.inbox", "handoff.inbox.*"),
    ("handoff.ops", "handoff.ops.*"),
    ("handoff.channels.*.routes", "handoff.channels.*.uploads", "handoff.channels.*.inbound",
     "handoff.pages", "handoff.app"),
)


def _modules() -> dict[str, Path]:
    found = {}
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module `path` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    resolved = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            resolved.add(name)
    return resolved


def _rank(module: str) -> int:
    def matches(pattern: str) -> bool:
        parts, wanted = module.split("."), pattern.split(".")
        return len(parts) == len(wanted) and all(
            w in ("*", p) for w, p in zip(wanted, parts, strict=True))

    ranks = [rank for rank, patterns in enumerate(HANDOFF_RANKS) if any(map(matches, patterns))]
    assert ranks, f"{module} has no place in HANDOFF_RANKS"
    return max(ranks)  # the most specific pattern is listed in the higher rank


def test_top_level_packages_import_only_the_boxes_below_them():
    modules = _modules()
    wrong = [(name, target) for name, path in modules.items()
             for target in _imports(path, modules)
             if target.split(".")[0] != name.split(".")[0]
             and target.split(".")[0] not in ALLOWED[name.split(".")[0]]]
    assert wrong == []


def test_no_gateway_module_imports_from_a_layer_above_it():
    modules = _modules()
    wrong = [(name, target) for name, path in modules.items() if name.startswith("handoff")
             for target in _imports(path, modules)
             if target.startswith("handoff") and _rank(target) > _rank(name)]
    assert wrong == []
