"""The batch's resumable cache: one JSON file per finished result, written atomically.

Keyed by (submission SHA-256, problem hash, judge version, level, limit overrides), so a
rerun grades only what changed and an interrupted batch loses nothing.

Each entry carries an HMAC-SHA256 of its key and its row under a secret kept *beside* the
cache folder (``<folder>.key``, mode 0600, made on first use), not in it: an entry edited by
hand, copied from another cache or planted by anyone who cannot read the key does not verify,
and is graded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from judge.batch.records import ReportError, Row
from judge.files import NotRegular, read_regular
from judge.resources import DISTRIBUTION

__all__ = ["Cache", "atomic_write", "cache_key", "judge_version", "sha256_file"]

JUDGE_DIR = Path(__file__).resolve().parents[1]
# The modules whose code decides a verdict: a change to any of them invalidates the cache.
GRADING_MODULES = (
    "compare.py",
    "grading.py",
    "plainerrors.py",
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
    """SHA-256 of a file's bytes; of a marker for what is not a readable regular file (a
    link is never followed: :mod:`judge.files`)."""
    try:
        data = read_regular(path)
    except NotRegular:
        data = b"\0not a regular file"
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


def _secret(path: Path) -> bytes:
    """The cache's HMAC key at ``path``, made (0600, 32 random bytes) if missing."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(32).hex())
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd) as f:
        secret = bytes.fromhex(f.read(256).strip())
    if len(secret) < 16:
        raise OSError(f"{path}: not a cache key; delete it to make a new one")
    return secret


class Cache:
    """Finished results as one JSON file each, ``<dir>/<key[:2]>/<key>.json``, each signed
    with the key in ``<dir>.key``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.key_file = self.folder.with_name(self.folder.name + ".key")
        self._secret: bytes | None = None

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _mac(self, key: str, row: dict[str, Any]) -> str:
        if self._secret is None:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            self._secret = _secret(self.key_file)
        body = json.dumps([key, row], sort_keys=True, ensure_ascii=True)
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()

    def get(self, key: str) -> Row | None:
        """The row stored under ``key`` if its MAC verifies; None (grade again) otherwise."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None  # missing, or unreadable: grade again
        if not isinstance(entry, dict) or not isinstance(entry.get("row"), dict):
            return None
        mac = entry.get("mac")
        if not isinstance(mac, str) or not hmac.compare_digest(mac, self._mac(key, entry["row"])):
            return None  # edited, planted or from another cache: grade again
        try:
            return Row.from_dict(entry["row"])
        except ReportError:
            return None  # signed by us, yet not a row (an older judge's): grade again

    def put(self, key: str, row: Row) -> None:
        data = row.to_dict()
        entry = {"mac": self._mac(key, data), "row": data}
        atomic_write(self._path(key), json.dumps(entry, ensure_ascii=True))
