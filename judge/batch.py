"""Grade a folder of candidates' submissions: discovery, a process pool, a resumable cache.

Layout: ``DIR/<candidate>/<slug>.py`` (``.toml`` answers for a quiz; every problem found;
``<slug_with_underscores>.py`` is accepted too, since candidates name files like modules) or,
for one problem, ``DIR/<candidate>.py``. Every submission becomes one row: the JSON object
of ``judge grade`` plus ``candidate``, ``file`` and ``sha256``. One submission's crash,
timeout or judge error never stops the batch: the row says ``grading_status =
"judge_error"`` instead.

Results are cached under a cache folder keyed by (submission SHA-256, problem hash, judge
version, level, limit overrides); each finished result is written atomically as soon as it
arrives, so an interrupted batch loses nothing and a rerun grades only what changed.
Judge errors are not cached: they are the judge's fault and a rerun retries them.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from judge.problems import Problem, UnknownProblem, discover, load_problem

__all__ = [
    "BatchError",
    "Job",
    "atomic_write",
    "discover_jobs",
    "grade_jobs",
    "judge_version",
    "parse_shard",
    "shard",
]

JUDGE_DIR = Path(__file__).resolve().parent
# The modules whose code decides a verdict: a change to any of them invalidates the cache.
GRADING_MODULES = (
    "channel.py",
    "grading.py",
    "inprocess.py",
    "limits.py",
    "problems.py",
    "quiz.py",
    "sandbox.py",
    "testing.py",
    "verdicts.py",
)


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


# -- discovery ------------------------------------------------------------------------
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
            if entry.suffix in SUFFIXES:
                jobs.append(Job(entry.stem, problem, entry))
            elif entry.is_dir():
                hit = next((p for p in sorted(entry.iterdir()) if p.name in names), None)
                if hit is not None:
                    jobs.append(Job(entry.name, problem, hit))
    else:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name.startswith((".", "__")):
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


# -- the cache ------------------------------------------------------------------------
def judge_version() -> str:
    """The package version plus a hash of the modules that decide verdicts."""
    try:
        version = metadata.version("metajudge")
    except metadata.PackageNotFoundError:
        version = "0"
    digest = hashlib.sha256()
    files = [JUDGE_DIR / name for name in GRADING_MODULES]
    files += sorted((JUDGE_DIR / "harness").glob("*.py"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
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


# -- grading --------------------------------------------------------------------------
_sessions: dict[str, Any] = {}


def grade_one(job: Job, problem: Problem, level: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Grade one submission into a row. Never raises: failures become rows."""
    from judge.grading import BadSubmission, GradeResult, Session, TestResult, grade
    from judge.verdicts import Verdict

    row = {"candidate": job.candidate, "file": str(job.path), "sha256": sha256_file(job.path)}
    try:
        session = _sessions.get(problem.slug)
        if session is None or session.problem != problem:
            session = _sessions[problem.slug] = Session(problem)
        result = grade(problem, job.path, level=level, session=session, **limits)
    except BadSubmission as exc:
        # The candidate's file cannot be graded at all (empty, not UTF-8, a directory):
        # that is the candidate's failure, scored 0 with the reason, not the batch's.
        result = GradeResult(problem.slug, str(Verdict.COMPILE_ERROR), 0.0, problem.points, 0.0)
        result.tests = [
            TestResult("submission", str(Verdict.COMPILE_ERROR), 0.0, problem.points, str(exc))
        ]
    except Exception as exc:  # a broken problem or a judge bug: this row only
        result = GradeResult(problem.slug, None, 0.0, problem.points, 0.0)
        result.grading_status, result.error = "judge_error", f"{type(exc).__name__}: {exc}"
    row.update(result.to_dict())
    return row


def _judge_error_row(job: Job, problem: Problem, message: str) -> dict[str, Any]:
    return {
        "candidate": job.candidate,
        "file": str(job.path),
        "sha256": sha256_file(job.path),
        "problem": problem.slug,
        "verdict": None,
        "score": 0.0,
        "max_score": problem.points,
        "time_s": 0.0,
        "tests": [],
        "sandbox": {},
        "grading_status": "judge_error",
        "error": message,
    }


@dataclass
class BatchOutcome:
    """Rows in job order, and how many came from the cache."""

    rows: list[dict[str, Any]]
    cached: int = 0
    graded: int = 0


def grade_jobs(
    jobs: Sequence[Job],
    problems: dict[str, Problem],
    *,
    jobs_n: int | None = None,
    level: str = "auto",
    cache_dir: str | Path | None = ".judge-cache",
    force: bool = False,
    limits: dict[str, Any] | None = None,
    on_done: Callable[[dict[str, Any]], None] = lambda row: None,
) -> BatchOutcome:
    """Grade ``jobs`` with a pool of ``jobs_n`` processes (1: in this process).

    ``on_done(row)`` is called once per finished row (cached ones too), e.g. for progress.
    A worker that dies takes its pool with it: the unfinished jobs are retried in a fresh
    pool, and a job that was running in two broken pools becomes a judge error.
    """
    limits = {k: v for k, v in (limits or {}).items() if v is not None}
    jobs_n = max(1, jobs_n or os.cpu_count() or 1)
    cache = Cache(cache_dir) if cache_dir is not None else None
    version = judge_version()
    problem_hashes = {slug: p.hash() for slug, p in problems.items()}
    settings = {"level": level, "limits": limits}
    rows: dict[Job, dict[str, Any]] = {}
    keys: dict[Job, str] = {}
    todo: list[Job] = []
    outcome = BatchOutcome([])
    for job in jobs:
        keys[job] = cache_key(
            sha256_file(job.path),
            problem_hashes[job.slug],
            version,
            {**settings, "candidate": job.candidate},
        )
        hit = None if (force or cache is None) else cache.get(keys[job])
        if hit is not None and hit.get("candidate") == job.candidate:
            hit["file"] = str(job.path)
            rows[job] = hit
            outcome.cached += 1
            on_done(hit)
        else:
            todo.append(job)

    def finish(job: Job, row: dict[str, Any]) -> None:
        rows[job] = row
        outcome.graded += 1
        if cache is not None and row.get("grading_status") == "graded":
            cache.put(keys[job], row)
        on_done(row)

    if jobs_n == 1 or len(todo) <= 1:
        for job in todo:
            finish(job, grade_one(job, problems[job.slug], level, limits))
    else:
        _pool_grade(todo, problems, jobs_n, level, limits, finish)
    outcome.rows = [rows[job] for job in jobs]
    return outcome


def _pool_grade(
    todo: list[Job],
    problems: dict[str, Problem],
    jobs_n: int,
    level: str,
    limits: dict[str, Any],
    finish: Callable[[Job, dict[str, Any]], None],
) -> None:
    """Grade ``todo`` in a pool. When a worker dies (which breaks the whole pool), the
    unfinished jobs are graded again one pool each, so the culprit is found and only it
    becomes a judge error."""
    import multiprocessing

    # forkserver: workers do not inherit the parent's threads (torch's, the progress bar's);
    # the server imports the grading modules (torch) once, so each worker starts warm.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["judge.grading", "judge.batch"])
    broken = _run_pool(todo, problems, jobs_n, level, limits, finish, context)
    pool = None
    try:
        for job in broken:  # one at a time in one worker: a death names its culprit
            pool = pool or ProcessPoolExecutor(max_workers=1, mp_context=context)
            try:
                row = pool.submit(grade_one, job, problems[job.slug], level, limits).result()
            except BrokenProcessPool:
                pool.shutdown(wait=True)
                pool = None
                message = "the grading worker died while grading this submission"
                row = _judge_error_row(job, problems[job.slug], message)
            except Exception as exc:  # pickling and the like: the judge's fault
                row = _judge_error_row(job, problems[job.slug], f"{type(exc).__name__}: {exc}")
            finish(job, row)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _run_pool(
    todo: list[Job],
    problems: dict[str, Problem],
    jobs_n: int,
    level: str,
    limits: dict[str, Any],
    finish: Callable[[Job, dict[str, Any]], None],
    context: Any,
) -> list[Job]:
    """Grade ``todo`` in one pool; return the jobs lost to a broken pool."""
    broken: list[Job] = []
    pool = ProcessPoolExecutor(max_workers=min(jobs_n, len(todo)), mp_context=context)
    try:
        futures: dict[Future, Job] = {
            pool.submit(grade_one, job, problems[job.slug], level, limits): job for job in todo
        }
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                job = futures[future]
                try:
                    row = future.result()
                except BrokenProcessPool:
                    broken.append(job)
                    continue
                except Exception as exc:  # pickling and the like: the judge's fault
                    row = _judge_error_row(job, problems[job.slug], f"{type(exc).__name__}: {exc}")
                finish(job, row)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return sorted(broken)
