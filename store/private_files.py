"""Files and folders the system creates for itself (databases, logs, locks) are the
owner's only: 0600 files in 0700 folders, whatever the umask of whoever started it.

The start scripts also set `umask 077` (scripts/env.sh), which covers what other programs
create (Rasa's tracker database, PostgreSQL, Redis, nginx); this module is for the files
Python creates, so they are private even when started another way.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path: Path) -> Path:
    """`path` and any missing parents created 0700; an existing folder is left as it is."""
    missing = [parent for parent in (path, *path.parents) if not parent.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return path


def private_file(path: Path) -> Path:
    """`path` created empty with 0600 if missing (in a private folder); returned."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(descriptor)
    if path.stat().st_uid == os.getuid():
        os.chmod(path, FILE_MODE)
    return path


__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_file"]
