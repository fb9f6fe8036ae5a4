"""The real stack for benchmarks, started exactly as the end-to-end tests start it.

`running_stack()` reuses the e2e `stack` fixture body from tests/e2e/conftest.py (free
loopback ports, temp SQLite databases, `prepare_database()`, `stack_services` + `start_all`,
`stop_all`), driven as a plain context manager outside pytest. While it is open, os.environ
points at the benchmark's own database, so `store.db.session_scope()` writes there. On a
failure the stack's logs and databases are copied to /tmp/shop-bench-failed-* first.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.e2e import conftest
from tests.e2e.conftest import Stack, Widget

__all__ = ["Stack", "Widget", "percentile", "running_stack", "service_pids", "summary"]


class _TempDirs:
    """The one piece of pytest's tmp_path_factory the fixture uses: `mktemp(name)`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, basename: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{basename}-", dir=self.root))


def _fixture_value(name: str, temp_dirs: _TempDirs) -> object:
    """What pytest would pass for a parameter of the `stack` fixture (plain fixtures only)."""
    if name == "tmp_path_factory":
        return temp_dirs
    function = inspect.unwrap(getattr(conftest, name))
    return function(*(_fixture_value(p, temp_dirs)
                      for p in inspect.signature(function).parameters))


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    """Start action server, Rasa server and gateway; stop them and delete their state after."""
    # A benchmark conversation sends far more than a customer may (20 a minute per socket).
    os.environ.setdefault("CHAT_MESSAGE_LIMIT", "100000")
    fixture = inspect.unwrap(conftest.stack)
    with tempfile.TemporaryDirectory(prefix="shop-bench-") as root:
        temp_dirs = _TempDirs(Path(root))
        arguments = [_fixture_value(p, temp_dirs) for p in inspect.signature(fixture).parameters]
        try:
            with contextlib.contextmanager(fixture)(*arguments) as stack:
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
        elif b"actions" in command:
            found["action server"] = int(entry.name)
        elif b"--model" in command:
            found["Rasa server"] = int(entry.name)
    return found


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(rank) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, max and mean, in milliseconds when the values are seconds."""
    return {"n": len(values), "p50": percentile(values, 50) * 1000,
            "p95": percentile(values, 95) * 1000, "max": max(values) * 1000,
            "mean": statistics.fmean(values) * 1000}
