"""The real stack for benchmarks, started as the end-to-end tests start it
(scripts.stack.running_stack), outside pytest. While it is open, os.environ points at the
benchmark's own database, so `store.db.session_scope()` writes there. On a failure the
stack's logs and databases are copied to /tmp/shop-bench-failed-* first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from handoff.ops.metrics import percentile
from scripts.stack import Stack, lift_chat_limits
from scripts.stack import running_stack as start_stack
from scripts.widget_client import Widget

__all__ = ["Stack", "Widget", "running_stack", "service_pids", "summary"]


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    """Start action server, Rasa server and gateway; stop them and delete their state after."""
    from scripts.train import ensure_model

    lift_chat_limits()
    model = Path(os.environ.get("SHOP_TEST_MODEL") or ensure_model())
    with tempfile.TemporaryDirectory(prefix="shop-bench-") as root:
        try:
            with start_stack(model, Path(root) / "stack") as stack:
                yield stack
        except BaseException:
            kept = shutil.copytree(root, tempfile.mkdtemp(prefix="shop-bench-failed-"),
                                   dirs_exist_ok=True)
            print(f"==> the stack's logs and databases are kept in {kept}", file=sys.stderr)
            raise


def service_pids() -> dict[str, int]:
    """The stack's three processes: the direct children of this process, named by command."""
    me = os.getpid()
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent != me:
            continue
        if any(part.endswith(b"uvicorn") for part in command):
            found["gateway"] = int(entry.name)
        elif b"actions.server" in command:
            found["action server"] = int(entry.name)
        elif b"--model" in command:
            found["Rasa server"] = int(entry.name)
    return found


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, max and mean, in milliseconds when the values are seconds."""
    return {"n": len(values), "p50": percentile(values, 0.50) * 1000,
            "p95": percentile(values, 0.95) * 1000, "max": max(values) * 1000,
            "mean": statistics.fmean(values) * 1000}
