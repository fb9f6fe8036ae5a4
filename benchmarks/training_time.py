"""Wall time of `rasa train` from a cold cache (takes minutes: run it only when asked).

Trains config.yml + domain.yml + data/ as they are in the working tree into a temporary
--out directory, with RASA_CACHE_DIRECTORY pointing at a fresh empty directory, so no
component is restored from Rasa's training cache; models/ and ~/.rasa are left alone.
Both temporary directories are deleted afterwards.

    .venv/bin/python -m benchmarks.training_time
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.processes import BIN, ROOT

TIMEOUT = 3600.0  # a cold train on 2 cores takes minutes; never wait forever


def train_cold() -> tuple[float, int]:
    """(seconds, model bytes) of one cold training run."""
    with tempfile.TemporaryDirectory(prefix="shop-train-") as scratch:
        out, cache = Path(scratch) / "models", Path(scratch) / "cache"
        cache.mkdir()
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache),
               "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        started = time.perf_counter()
        subprocess.run([str(BIN / "rasa"), "train", "--out", str(out)], cwd=ROOT, env=env,
                       check=True, stdout=sys.stderr, timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        size = sum(model.stat().st_size for model in out.glob("*.tar.gz"))
    return elapsed, size


if __name__ == "__main__":
    seconds, size = train_cold()
    print(f"rasa train, cold cache, {os.cpu_count()} cores: {seconds:.0f} s wall "
          f"({seconds / 60:.1f} min); model {size / 1e6:.0f} MB")
