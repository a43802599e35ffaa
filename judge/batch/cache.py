"""The batch's resumable cache: one JSON file per finished result, written atomically.

Keyed by (submission SHA-256, problem hash, judge version, level, limit overrides), so a
rerun grades only what changed and an interrupted batch loses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from judge.resources import DISTRIBUTION

__all__ = ["Cache", "atomic_write", "cache_key", "judge_version", "sha256_file"]

JUDGE_DIR = Path(__file__).resolve().parents[1]
# The modules whose code decides a verdict: a change to any of them invalidates the cache.
GRADING_MODULES = (
    "grading.py",
    "problems.py",
    "quiz.py",
    "submission.py",
    "testing.py",
    "verdicts.py",
)
"""The engine's modules whose code decides a verdict (with every module of ``runner/``): a
change to any of them invalidates the cache."""


def judge_version() -> str:
    """The package version plus a hash of the modules that decide verdicts."""
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "0"
    digest = hashlib.sha256()
    files = [JUDGE_DIR / name for name in GRADING_MODULES]
    files += sorted((JUDGE_DIR / "runner").rglob("*.py"))
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(JUDGE_DIR)).encode() + b"\0" + path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes; of a marker for what is not a readable regular file."""
    try:
        data = path.read_bytes() if path.is_file() else b"\0not a regular file"
    except OSError:
        data = b"\0unreadable"
    return hashlib.sha256(data).hexdigest()


def cache_key(sub_hash: str, problem_hash: str, version: str, settings: dict[str, Any]) -> str:
    blob = json.dumps([sub_hash, problem_hash, version, settings], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def atomic_write(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Cache:
    """Finished results as one JSON file each, ``<dir>/<key[:2]>/<key>.json``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing, or unreadable: grade again

    def put(self, key: str, row: dict[str, Any]) -> None:
        atomic_write(self._path(key), json.dumps(row, ensure_ascii=False))
