"""A candidate's progress: a local history of ``judge grade`` results, summarised per problem.

The history is one JSON line per grade in ``$XDG_DATA_HOME/metajudge/history.jsonl``
(``~/.local/share/metajudge/history.jsonl`` when ``XDG_DATA_HOME`` is unset; none at all
while ``JUDGE_NO_HISTORY`` is set), appended with a
single ``O_APPEND`` write so that two judges running at once do not interleave lines. It
holds verdicts and scores only, never code. Recording must never break grading: a history
that cannot be written is skipped silently, and unreadable lines are ignored on reading.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ProblemProgress", "history_path", "read", "record", "reset", "summary"]


def history_path() -> Path:
    """Where the history lives (the XDG base-directory convention)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "metajudge" / "history.jsonl"


def record(result: Any, path: Path | None = None) -> bool:
    """Append one graded result (a :class:`~judge.results.GradeResult`) to the history.

    Only hidden-test grades that the judge completed count, and nothing is kept while
    ``JUDGE_NO_HISTORY`` is set (CI, test suites); returns whether a line was written.
    """
    if os.environ.get("JUDGE_NO_HISTORY"):
        return False
    if getattr(result, "grading_status", None) != "graded" or not getattr(result, "hidden", 1):
        return False
    line = json.dumps(
        {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "problem": result.problem,
            "verdict": result.verdict,
            "score": round(float(result.score), 6),
            "max_score": round(float(result.max_score), 6),
        }
    )
    path = path or history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
    except OSError:
        return False
    return True


def read(path: Path | None = None) -> list[dict[str, Any]]:
    """Every readable entry of the history, oldest first."""
    path = path or history_path()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("problem"), str):
            entries.append(entry)
    return entries


def reset(path: Path | None = None) -> bool:
    """Delete the history; returns whether there was one."""
    path = path or history_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


@dataclass
class ProblemProgress:
    """One problem's record: attempts, whether solved, the best score."""

    problem: str
    attempts: int = 0
    solved: bool = False
    best_score: float = 0.0
    max_score: float = 0.0
    last: str = ""


def summary(entries: list[dict[str, Any]]) -> dict[str, ProblemProgress]:
    """Per problem: attempts, solved (any accepted grade), best score, last attempt."""
    out: dict[str, ProblemProgress] = {}
    for entry in entries:
        slug = entry["problem"]
        item = out.setdefault(slug, ProblemProgress(slug))
        item.attempts += 1
        item.solved = item.solved or entry.get("verdict") == "accepted"
        try:
            score, max_score = float(entry.get("score", 0)), float(entry.get("max_score", 0))
        except (TypeError, ValueError):
            score, max_score = 0.0, 0.0
        item.best_score = max(item.best_score, score)
        item.max_score = max(item.max_score, max_score)
        item.last = str(entry.get("time", item.last))
    return out
