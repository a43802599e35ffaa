"""Which files under a batch folder are submissions, to which problem, and shards of them.

Layout: ``DIR/<candidate>/<slug>.py`` (``.toml`` answers for a quiz; every problem found;
``<slug_with_underscores>.py`` is accepted too, since candidates name files like modules) or,
for one problem, ``DIR/<candidate>.py``. Candidates hand in what they have, so discovery is
forgiving where it can be and loud where it cannot:

- a candidate's folder is searched to any depth (``alice/alice-submission/double.py``, as
  after unzipping), skipping hidden entries, ``__pycache__`` and ``__MACOSX``;
- suffixes and names match in any case (``Double.PY``); a notebook (``.ipynb``) is a code
  submission;
- every other file that could be a submission (:data:`MAYBE`: a ``.yaml`` quiz answer, a
  ``.zip`` left packed, a file for no known problem, a second file for the same problem, a
  file at the top level beside the candidates' folders, a candidate folder with nothing to
  grade) is a :class:`Skipped` with the reason, which the reports list under "not graded"
  and ``grade-batch`` prints on stderr. No candidate vanishes without a word.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from judge.problems import Problem, UnknownProblem, discover, load_problem

__all__ = [
    "MAYBE",
    "SUFFIXES",
    "BatchError",
    "Job",
    "Skipped",
    "discover_jobs",
    "parse_shard",
    "shard",
]

SUFFIXES = (".py", ".ipynb", ".toml")
"""A code submission is a .py file or a notebook; a quiz's answers are a .toml file."""
CODE_SUFFIXES = (".py", ".ipynb")
MAYBE = (*SUFFIXES, ".yaml", ".yml", ".zip")
"""Suffixes of files that could be a submission: graded, or listed as not graded."""
_IGNORED_DIRS = ("__pycache__", "__MACOSX")
ARCHIVE = "an archive: unzip it in place and run the batch again"


class BatchError(ValueError):
    """The batch cannot run as asked (no such folder, nothing to grade, bad --shard): exit 2."""


@dataclass(frozen=True, order=True)
class Job:
    """One submission to grade: a candidate's file for one problem."""

    candidate: str
    slug: str
    path: Path = field(compare=False)


@dataclass(frozen=True, order=True)
class Skipped:
    """A file (or a candidate's folder) that could have been a submission and is not
    graded, with the reason in words."""

    path: Path
    candidate: str
    reason: str


def _slug_for(stem: str, known: Sequence[str]) -> str | None:
    for name in (stem, stem.lower()):
        if name in known:
            return name
        dashed = name.replace("_", "-")
        if dashed in known:
            return dashed
    return None


def _hidden(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_DIRS


def _files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` with a :data:`MAYBE` suffix, sorted, to any depth (a
    folder named like a submission, ``double.py/``, counts as one: grading says why not)."""
    for entry in sorted(folder.iterdir()):
        if _hidden(entry.name):
            continue
        if entry.is_symlink() and entry.suffix.lower() not in MAYBE:
            continue  # a linked folder is never followed; a linked file is refused by grading
        if entry.is_dir() and entry.suffix.lower() not in SUFFIXES:
            yield from _files(entry)
        elif entry.suffix.lower() in MAYBE:
            yield entry


def _kind_reason(path: Path, problem: Problem) -> str | None:
    """Why ``path`` cannot be ``problem``'s submission by its suffix, or None."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return ARCHIVE
    if problem.is_quiz:
        if suffix in (".yaml", ".yml"):
            return f"{problem.slug} reads its answers from a .toml file, not YAML"
        return None if suffix == ".toml" else f"{problem.slug} takes a .toml answers file"
    return None if suffix in CODE_SUFFIXES else f"{problem.slug} takes a .py or .ipynb file"


def _other_reason(path: Path, known: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return ARCHIVE
    close = difflib.get_close_matches(path.stem.lower(), list(known), n=3, cutoff=0.5)
    tip = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no problem named {path.stem!r}{tip}"


def discover_jobs(
    root: str | Path,
    packs: Iterable[str | Path] = (),
    *,
    problem: str | None = None,
    warn: Callable[[str], None] = lambda message: None,
    skipped: list[Skipped] | None = None,
) -> tuple[list[Job], dict[str, Problem]]:
    """The submissions under ``root`` (sorted) and the problems they need, loaded.

    Every file that could be a submission and is not graded is appended to ``skipped`` (if
    given) and reported through ``warn``. Raises :class:`BatchError` for a missing folder or
    a batch with nothing to grade, and :class:`~judge.problems.ProblemError` for an unknown
    ``problem`` or a malformed ``problem.toml`` (both usage errors).
    """
    root = Path(root)
    if not root.exists():
        raise BatchError(f"{root}: no such folder")
    if not root.is_dir():
        raise BatchError(f"{root}: is a file; grade-batch expects a folder of candidates")
    found = discover(packs)
    if problem is not None and problem not in found:
        close = difflib.get_close_matches(problem, list(found), n=3, cutoff=0.5)
        raise UnknownProblem(problem, close)
    loaded: dict[str, Problem] = {}

    def load(slug: str) -> Problem:
        if slug not in loaded:
            loaded[slug] = load_problem(found[slug])
        return loaded[slug]

    jobs: list[Job] = []
    passed: list[Skipped] = []

    def skip(path: Path, candidate: str, reason: str) -> None:
        passed.append(Skipped(path, candidate, reason))

    if problem is not None:
        _one_problem(root, load(problem), jobs, skip)
    else:
        for entry in sorted(root.iterdir()):
            if _hidden(entry.name):
                continue
            if entry.is_symlink() and entry.is_dir():
                skip(entry, entry.name, "a candidate folder that is a link is never followed")
                continue
            if not entry.is_dir():
                if entry.suffix.lower() in MAYBE:
                    skip(
                        entry,
                        entry.stem,
                        "a file beside the candidates' folders: move it into a folder named "
                        "after the candidate, or grade DIR/<candidate>.py with --problem SLUG",
                    )
                continue
            _candidate_folder(entry, list(found), load, jobs, skip)
    for item in passed:
        warn(f"{item.path}: not graded: {item.reason}")
    if skipped is not None:
        skipped.extend(sorted(passed))
    if not jobs:
        layout = f"DIR/<candidate>.py for {problem}" if problem else "DIR/<candidate>/<slug>.py"
        why = f" ({len(passed)} file(s) not graded, listed above)" if passed else ""
        raise BatchError(f"{root}: no submissions found (expected {layout}){why}")
    jobs.sort()
    return jobs, {slug: loaded[slug] for slug in sorted({j.slug for j in jobs})}


def _candidate_folder(
    folder: Path,
    known: Sequence[str],
    load: Callable[[str], Problem],
    jobs: list[Job],
    skip: Callable[[Path, str, str], None],
) -> None:
    """``DIR/<candidate>/``: one job per problem named by a file, the first in depth then
    name order; every other possible submission skipped with its reason."""
    candidate = folder.name
    taken: dict[str, Path] = {}
    seen = False
    for path in sorted(_files(folder), key=lambda p: (len(p.relative_to(folder).parts), p)):
        seen = True
        slug = _slug_for(path.stem, known)
        if slug is None:
            skip(path, candidate, _other_reason(path, known))
            continue
        why = _kind_reason(path, load(slug))
        if why is not None:
            skip(path, candidate, why)
        elif slug in taken:
            skip(path, candidate, f"a second file for {slug}: {taken[slug].name} was graded")
        else:
            taken[slug] = path
            jobs.append(Job(candidate, slug, path))
    if not seen:
        skip(folder, candidate, "no file that could be a submission (.py, .ipynb, .toml)")


def _one_problem(
    root: Path,
    problem: Problem,
    jobs: list[Job],
    skip: Callable[[Path, str, str], None],
) -> None:
    """``--problem SLUG``: ``DIR/<candidate>.<ext>``, or a candidate's folder holding the
    file named after the problem, or else its one file of the right kind."""
    stems = {problem.slug, problem.slug.replace("-", "_")}
    for entry in sorted(root.iterdir()):
        if _hidden(entry.name):
            continue
        if not entry.is_dir() or entry.suffix.lower() in SUFFIXES:
            if entry.suffix.lower() not in MAYBE:
                continue
            why = _kind_reason(entry, problem)
            if why is None:
                jobs.append(Job(entry.stem, problem.slug, entry))
            else:
                skip(entry, entry.stem, why)
            continue
        if entry.is_symlink():
            skip(entry, entry.name, "a candidate folder that is a link is never followed")
            continue
        files = list(_files(entry))
        fits = [p for p in files if _kind_reason(p, problem) is None]
        named = [p for p in fits if p.stem.lower() in stems]
        chosen = (named or (fits if len(fits) == 1 else []))[:1]
        for path in chosen:
            jobs.append(Job(entry.name, problem.slug, path))
        for path in files:
            if path in chosen:
                continue
            why = _kind_reason(path, problem)
            if why is None:
                why = (
                    f"a second file for {problem.slug}: {chosen[0].name} was graded"
                    if chosen
                    else f"several files, none named {problem.slug.replace('-', '_')}.py"
                )
            skip(path, entry.name, why)
        if not files:
            skip(entry, entry.name, f"no file for {problem.slug}")


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), 1 <= K <= N; ``"auto"`` or ``"auto/N"`` -> the scheduler's.

    ``auto`` reads a 0-based index and a count from the environment: a Slurm job array's
    ``SLURM_ARRAY_TASK_ID`` (less ``SLURM_ARRAY_TASK_MIN``, so ``--array=1-4`` works too) and
    ``SLURM_ARRAY_TASK_COUNT``, or a Kubernetes Indexed Job's ``JOB_COMPLETION_INDEX`` with
    the job's completions as ``N`` (``auto/N``, or ``JUDGE_SHARDS`` in the environment).
    """
    env = os.environ if environ is None else environ
    head, _, tail = text.partition("/")
    if head == "auto":
        return _auto_shard(text, tail, env)
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise BatchError(f"--shard {text!r}: expected K/N (e.g. 1/4), auto or auto/N") from None
    if not 1 <= k <= n:
        raise BatchError(f"--shard {text!r}: expected 1 <= K <= N")
    return k, n


def _auto_shard(text: str, tail: str, env: Mapping[str, str]) -> tuple[int, int]:
    def number(name: str, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise BatchError(f"--shard {text}: {name}={value!r} is not a number") from None

    if "SLURM_ARRAY_TASK_ID" in env:
        index = number("SLURM_ARRAY_TASK_ID", env["SLURM_ARRAY_TASK_ID"])
        index -= number("SLURM_ARRAY_TASK_MIN", env.get("SLURM_ARRAY_TASK_MIN", "0"))
        count_name = "SLURM_ARRAY_TASK_COUNT"
    elif "JOB_COMPLETION_INDEX" in env:
        index = number("JOB_COMPLETION_INDEX", env["JOB_COMPLETION_INDEX"])
        count_name = "JUDGE_SHARDS"
    else:
        raise BatchError(
            f"--shard {text}: no scheduler index in the environment (SLURM_ARRAY_TASK_ID "
            "or JOB_COMPLETION_INDEX)"
        )
    count_text = env.get(count_name)
    if tail:
        count = number("N", tail)
    elif count_text is not None:
        count = number(count_name, count_text)
    else:
        raise BatchError(
            f"--shard {text}: the shard count is unknown: use auto/N or set {count_name}"
        )
    if not 0 <= index < count:
        raise BatchError(f"--shard {text}: index {index} is outside 0..{count - 1}")
    return index + 1, count


def shard(jobs: Sequence[Job], k: int, n: int) -> list[Job]:
    """Shard K of N: the K-th of every N jobs in sorted (candidate, problem) order.

    Deterministic for the same folder, balanced to within one job, and the N shards
    together are exactly the whole batch.
    """
    return [job for i, job in enumerate(sorted(jobs)) if i % n == k - 1]
