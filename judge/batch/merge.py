"""``judge report merge``: the JSON reports of a batch's shards read back and joined.

A merge is only as good as its inputs, so it refuses (:class:`MergeError`, exit 2) what is
not exactly one batch: a missing or repeated shard, a row given twice or in conflict,
reports of several judge versions, a whole batch mixed with shards. ``allow_partial``
merges anyway and records why in the report's ``partial``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from judge.batch.report import KIND, document

__all__ = ["MergeError", "load", "merge"]


class MergeError(ValueError):
    """The reports cannot be merged: not a batch JSON report, or not one whole batch
    (exit 2)."""


def load(path: str | Path) -> dict[str, Any]:
    """Read a batch JSON report; :class:`MergeError` if it is not one."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MergeError(f"{path}: not a readable JSON report: {exc}") from exc
    if (
        not isinstance(doc, dict)
        or doc.get("kind") != KIND
        or not isinstance(doc.get("rows"), list)
    ):
        raise MergeError(f'{path}: not a batch report (expected "kind": "{KIND}" and rows)')
    return doc


def _shard_problems(docs: Sequence[dict[str, Any]]) -> list[str]:
    """Why these reports are not exactly the N shards of one batch (empty if they are)."""
    labels = [doc.get("shard") for doc in docs]
    if all(label is None for label in labels):
        return []
    if any(label is None for label in labels):
        return ["a whole batch's report mixed with shards' reports"]
    parsed = []
    for label in labels:
        try:
            k, n = (int(x) for x in str(label).split("/"))
        except ValueError:
            return [f"shard label {label!r} is not K/N"]
        parsed.append((k, n))
    totals = sorted({n for _, n in parsed})
    if len(totals) > 1:
        return [f"shards of different splits ({', '.join(f'N={n}' for n in totals)})"]
    n = totals[0]
    given = [k for k, _ in parsed]
    why = [f"shard {k}/{n} given {given.count(k)} times" for k in sorted(set(given))
           if given.count(k) > 1]  # fmt: skip
    missing = [f"{k}/{n}" for k in range(1, n + 1) if k not in given]
    if missing:
        why.append(f"missing shard(s) {', '.join(missing)}")
    return why


def merge(docs: Sequence[dict[str, Any]], *, allow_partial: bool = False) -> dict[str, Any]:
    """One report from the N shards of one batch: rows joined by (candidate, problem);
    problems, not-graded files and similarity pairs joined.

    :class:`MergeError` (saying every reason) for a missing or repeated shard, a row given
    twice (identical or in conflict) and reports from several judge versions, unless
    ``allow_partial``: then the later file wins a duplicate and the report's ``partial``
    lists the reasons.
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    problems: dict[str, dict[str, Any]] = {}
    pairs: dict[tuple[str, str, str], dict[str, Any]] = {}
    not_graded: dict[str, dict[str, str]] = {}
    thresholds = set()
    versions = set()
    why = _shard_problems(docs)
    for doc in docs:
        problems.update(doc.get("problems", {}))
        for row in doc["rows"]:
            key = row["candidate"], row["problem"]
            if key in rows:
                same = all(rows[key].get(f) == row.get(f) for f in ("sha256", "verdict", "score"))
                kind = "given twice" if same else "in conflict (different results)"
                why.append(f"{key[0]}/{key[1]} {kind}")
            rows[key] = row
        for item in doc.get("not_graded", []):
            not_graded[item["file"]] = item
        similarity = doc.get("similarity") or {}
        if similarity.get("threshold") is not None:
            thresholds.add(similarity["threshold"])
        for pair in similarity.get("pairs", []):
            pairs[pair["problem"], pair["a"], pair["b"]] = pair
        versions.add(doc.get("judge_version", ""))
    if len(versions) > 1:
        why.append(f"reports of several judge versions ({', '.join(sorted(versions))})")
    if why and not allow_partial:
        raise MergeError(
            "refusing to merge: " + "; ".join(why) + " (--allow-partial merges anyway)"
        )
    merged = document(
        list(rows.values()),
        problems,
        pairs=sorted(pairs.values(), key=lambda p: (-p["score"], p["problem"], p["a"], p["b"])),
        threshold=min(thresholds) if thresholds else None,
        judge_version=" + ".join(sorted(v for v in versions if v)),
        not_graded=list(not_graded.values()),
    )
    if why:
        merged["partial"] = why
    return merged
