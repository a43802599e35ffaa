"""Which files under a batch folder are submissions, to which problem, and shards of them.

Layout: ``DIR/<candidate>/<slug>.py`` (``.toml`` answers for a quiz; every problem found;
``<slug_with_underscores>.py`` is accepted too, since candidates name files like modules) or,
for one problem, ``DIR/<candidate>.py``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from judge.problems import Problem, UnknownProblem, discover, load_problem

__all__ = ["SUFFIXES", "BatchError", "Job", "discover_jobs", "parse_shard", "shard"]

SUFFIXES = (".py", ".toml")
"""A code submission is a .py file; a quiz's answers are a .toml file."""


class BatchError(ValueError):
    """The batch cannot run as asked (no such folder, nothing to grade, bad --shard): exit 2."""


@dataclass(frozen=True, order=True)
class Job:
    """One submission to grade: a candidate's file for one problem."""

    candidate: str
    slug: str
    path: Path = field(compare=False)


def _slug_for(stem: str, known: Sequence[str]) -> str | None:
    if stem in known:
        return stem
    dashed = stem.replace("_", "-")
    return dashed if dashed in known else None


def discover_jobs(
    root: str | Path,
    packs: Iterable[str | Path] = (),
    *,
    problem: str | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> tuple[list[Job], dict[str, Problem]]:
    """The submissions under ``root`` (sorted) and the problems they need, loaded.

    Raises :class:`BatchError` for a missing folder or an empty batch, and
    :class:`~judge.problems.ProblemError` for an unknown ``problem`` or a malformed
    ``problem.toml`` (both usage errors). Files that name no known problem are skipped with
    a warning (with the closest slugs), so a candidate's ``notes.py`` does not stop a batch.
    """
    root = Path(root)
    if not root.exists():
        raise BatchError(f"{root}: no such folder")
    if not root.is_dir():
        raise BatchError(f"{root}: is a file; grade-batch expects a folder of candidates")
    found = discover(packs)
    jobs: list[Job] = []
    if problem is not None:
        if problem not in found:
            close = difflib.get_close_matches(problem, list(found), n=3, cutoff=0.5)
            raise UnknownProblem(problem, close)
        names = {f"{problem}{ext}" for ext in SUFFIXES}
        names |= {f"{problem.replace('-', '_')}{ext}" for ext in SUFFIXES}
        for entry in sorted(root.iterdir()):
            if entry.name.startswith((".", "__")):
                continue
            if entry.suffix in SUFFIXES or entry.is_symlink():
                # a link (to a file or a folder) is a row refused by the grader, never followed
                stem = entry.stem if entry.suffix in SUFFIXES else entry.name
                jobs.append(Job(stem, problem, entry))
            elif entry.is_dir():
                hit = next((p for p in sorted(entry.iterdir()) if p.name in names), None)
                if hit is not None:
                    jobs.append(Job(entry.name, problem, hit))
    else:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name.startswith((".", "__")):
                continue
            if folder.is_symlink():
                warn(f"{folder}: skipped: a candidate folder that is a link is never followed")
                continue
            for entry in sorted(folder.iterdir()):
                if entry.suffix not in SUFFIXES or entry.name.startswith("."):
                    continue
                slug = _slug_for(entry.stem, list(found))
                if slug is None:
                    close = difflib.get_close_matches(entry.stem, list(found), n=3, cutoff=0.5)
                    tip = f"; did you mean {', '.join(close)}?" if close else ""
                    warn(f"{entry}: skipped: no problem named {entry.stem!r}{tip}")
                    continue
                jobs.append(Job(folder.name, slug, entry))
    if not jobs:
        layout = f"DIR/<candidate>.py for {problem}" if problem else "DIR/<candidate>/<slug>.py"
        raise BatchError(f"{root}: no submissions found (expected {layout})")
    problems = {slug: load_problem(found[slug]) for slug in sorted({j.slug for j in jobs})}
    # A code problem takes a .py file, a quiz a .toml answers file: skip the other kind.
    kept = []
    for job in jobs:
        want = ".toml" if problems[job.slug].is_quiz else ".py"
        if job.path.suffix == want:
            kept.append(job)
        else:
            warn(f"{job.path}: skipped: {job.slug} takes a {want} file")
    if not kept:
        raise BatchError(f"{root}: no submissions of the right kind (.py code, .toml quiz)")
    return sorted(kept), {slug: problems[slug] for slug in sorted({j.slug for j in kept})}


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise BatchError(f"--shard {text!r}: expected K/N, e.g. 1/4") from None
    if not 1 <= k <= n:
        raise BatchError(f"--shard {text!r}: expected 1 <= K <= N")
    return k, n


def shard(jobs: Sequence[Job], k: int, n: int) -> list[Job]:
    """Shard K of N: the K-th of every N jobs in sorted (candidate, problem) order.

    Deterministic for the same folder, balanced to within one job, and the N shards
    together are exactly the whole batch.
    """
    return [job for i, job in enumerate(sorted(jobs)) if i % n == k - 1]
