"""Train the Rasa model only when its inputs changed.

The model is stored as models/<hash>.tar.gz where the hash covers everything that shapes
it: config.yml, domain.yml, data/ and the custom NLU components. Prints the model path.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
INPUTS = (
    "config.yml", "domain.yml", "data", "nlu/components.py", "nlu/patterns.py", "nlu/normalise.py",
)


def training_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model() -> Path:
    subprocess.run([sys.executable, "-m", "nlu.knowledge"], cwd=ROOT, check=True,
                   stdout=sys.stderr)
    model = MODELS / f"{training_hash()}.tar.gz"
    if model.exists():
        print(f"==> model is up to date: {model.relative_to(ROOT)}", file=sys.stderr)
        return model
    print("==> training the model (about 2-4 minutes on 2 cores)", file=sys.stderr)
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "train", "--out", str(MODELS),
         "--fixed-model-name", model.name.removesuffix(".tar.gz")],
        cwd=ROOT, check=True, stdout=sys.stderr,  # stdout carries only the model path
    )
    print(f"==> trained in {time.monotonic() - started:.0f} s: {model.relative_to(ROOT)}",
          file=sys.stderr)
    for old in sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-3]:
        old.unlink()  # keep the three newest models
    return model


if __name__ == "__main__":
    print(ensure_model())
