"""``judge report merge``: the JSON reports of a batch's shards read back and joined.

A merge is only as good as its inputs, so it refuses (:class:`MergeError`, exit 2) what is
not exactly one batch: a missing or repeated shard, a row given twice or in conflict,
reports of several judge versions, a whole batch mixed with shards. ``allow_partial``
merges anyway and records why in the report's ``partial``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from judge.batch.records import BatchReport, NotGraded, ProblemMeta, ReportError, Row, read_report
from judge.batch.report import document
from judge.batch.similarity import Pair
from judge.text import clean

__all__ = ["MergeError", "load", "merge"]


class MergeError(ValueError):
    """The reports cannot be merged: not a batch JSON report, or not one whole batch
    (exit 2)."""


def load(path: str | Path) -> BatchReport:
    """Read a batch JSON report; :class:`MergeError` (naming the file and the field) if it
    is not one."""
    try:
        return read_report(path)
    except ReportError as exc:
        raise MergeError(str(exc)) from None


def _shard_problems(docs: Sequence[BatchReport]) -> list[str]:
    """Why these reports are not exactly the N shards of one batch (empty if they are)."""
    labels = [doc.shard for doc in docs]
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


def merge(docs: Sequence[BatchReport], *, allow_partial: bool = False) -> BatchReport:
    """One report from the N shards of one batch: rows joined by (candidate, problem);
    problems, not-graded files and similarity pairs joined.

    :class:`MergeError` (saying every reason) for a missing or repeated shard, a row given
    twice (identical or in conflict) and reports from several judge versions, unless
    ``allow_partial``: then the later file wins a duplicate and the report's ``partial``
    lists the reasons.
    """
    rows: dict[tuple[str, str], Row] = {}
    problems: dict[str, ProblemMeta] = {}
    pairs: dict[tuple[str, str, str], Pair] = {}
    not_graded: dict[str, NotGraded] = {}
    thresholds = set()
    versions = set()
    why = _shard_problems(docs)
    for doc in docs:
        problems.update(doc.problems)
        for row in doc.rows:
            key = row.candidate, row.problem
            if key in rows:
                old = rows[key]
                same = (old.sha256, old.verdict, old.score) == (row.sha256, row.verdict, row.score)
                kind = "given twice" if same else "in conflict (different results)"
                why.append(f"{key[0]}/{key[1]} {kind}")
            rows[key] = row
        for item in doc.not_graded:
            not_graded[item.file] = item
        if doc.similarity.threshold is not None:
            thresholds.add(doc.similarity.threshold)
        for pair in doc.similarity.pairs:
            pairs[pair.problem, pair.a, pair.b] = pair
        versions.add(doc.judge_version)
    if len(versions) > 1:
        why.append(f"reports of several judge versions ({', '.join(sorted(versions))})")
    why = [clean(reason, 500) for reason in why]  # they quote the files: printed as text
    if why and not allow_partial:
        raise MergeError(
            "refusing to merge: " + "; ".join(why) + " (--allow-partial merges anyway)"
        )
    merged = document(
        list(rows.values()),
        problems,
        pairs=sorted(pairs.values(), key=lambda p: (-p.score, p.problem, p.a, p.b)),
        threshold=min(thresholds) if thresholds else None,
        judge_version=" + ".join(sorted(v for v in versions if v)),
        not_graded=list(not_graded.values()),
    )
    merged.partial = why
    return merged
