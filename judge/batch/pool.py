"""Grade a batch of submissions in a process pool, through the resumable cache.

Every submission becomes one :class:`~judge.batch.records.Row`: its grade plus ``candidate``,
``file`` and ``sha256``. One submission's crash, timeout or judge error never stops the
batch: the row says ``grading_status = "judge_error"`` instead.

Results are cached under a cache folder keyed by (submission SHA-256, problem hash, judge
version, level, limit overrides); each finished result is written atomically as soon as it
arrives, so an interrupted batch loses nothing and a rerun grades only what changed.
Judge errors are not cached: they are the judge's fault and a rerun retries them.

Stopping: on SIGTERM/SIGINT (a ``KeyboardInterrupt`` in the parent) the pool's workers are
told to stop at once; each kills the sandboxes it started and exits, so the batch ends in
about a second with every finished result in the cache. A worker watches its parent too:
when the judge is killed outright (SIGKILL), its workers and their sandboxes go with it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.batch.cache import Cache, cache_key, judge_version, sha256_file
from judge.batch.discovery import Job
from judge.batch.records import Row
from judge.grading import BadSubmission, Session, grade
from judge.problems import Problem
from judge.results import GradeResult, TestResult
from judge.text import MESSAGE_CHARS, clean
from judge.verdicts import Verdict

__all__ = ["BatchOutcome", "grade_jobs", "grade_one"]

_sessions: dict[str, Any] = {}


def grade_one(job: Job, problem: Problem, level: str, limits: dict[str, Any]) -> Row:
    """Grade one submission into a row. Never raises: failures become rows."""
    sha256 = sha256_file(job.path)
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
    return Row.of(job.candidate, str(job.path), sha256, result)


def clean_row(value: Any, depth: int = 0) -> Any:
    """``value`` with every string passed through :func:`judge.text.clean` (messages capped)."""
    if isinstance(value, str):
        return clean(value, MESSAGE_CHARS * 2)
    if depth > 8:
        return None
    if isinstance(value, dict):
        return {clean(k, 200): clean_row(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_row(v, depth + 1) for v in value]
    return value


def _judge_error_row(job: Job, problem: Problem, message: str) -> Row:
    return Row(
        candidate=job.candidate,
        file=str(job.path),
        sha256=sha256_file(job.path),
        problem=problem.slug,
        verdict=None,
        score=0.0,
        max_score=problem.points,
        grading_status="judge_error",
        error=message,
    )


@dataclass
class BatchOutcome:
    """Rows in job order, and how many came from the cache."""

    rows: list[Row]
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
    on_done: Callable[[Row], None] = lambda row: None,
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
    rows: dict[Job, Row] = {}
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
        if hit is not None and hit.candidate == job.candidate:
            hit.file = str(job.path)
            rows[job] = hit
            outcome.cached += 1
            on_done(hit)
        else:
            todo.append(job)

    def finish(job: Job, row: Row) -> None:
        # every text of a row can be written to any report and cache
        row = Row.from_dict(clean_row(row.to_dict()))
        rows[job] = row
        outcome.graded += 1
        if cache is not None and row.graded:
            cache.put(keys[job], row)
        on_done(row)

    if jobs_n == 1 or len(todo) <= 1:
        for job in todo:
            finish(job, grade_one(job, problems[job.slug], level, limits))
    else:
        _pool_grade(todo, problems, jobs_n, level, limits, finish)
    outcome.rows = [rows[job] for job in jobs]
    return outcome


def _children() -> list[int]:
    """The PIDs of this process's children (its sandboxes: unshare or the basic child)."""
    me, found = str(os.getpid()), []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else []:
        if entry.name.isdigit():
            with (
                contextlib.suppress(OSError, IndexError),
                open(os.path.join(entry.path, "stat"), "rb") as f,
            ):
                if f.read().rsplit(b")", 1)[1].split()[1].decode() == me:
                    found.append(int(entry.name))
    return found


def _die(*_: object) -> None:
    """Kill this worker's sandboxes (each in its own session; an isolated one's PID 1 dies
    with its unshare) and exit now, without waiting for the call in flight."""
    for pid in _children():
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(1)


def _worker_init(parent: int) -> None:
    """In each worker: die on SIGTERM, and when the judge (``parent``) is gone."""
    signal.signal(signal.SIGTERM, _die)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it sends SIGTERM

    def watch() -> None:
        while True:
            try:
                with open(f"/proc/{parent}/stat", "rb") as f:
                    gone = f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
            except FileNotFoundError:
                gone = True
            except (OSError, IndexError):
                gone = False  # no /proc: PR_SET_PDEATHSIG-less platforms keep the old way
            if gone:
                _die()
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _new_pool(workers: int, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: SIGTERM its workers (see :func:`_die`), cancel what is queued."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            os.kill(process.pid, signal.SIGTERM)
    pool.shutdown(wait=False, cancel_futures=True)


def _pool_grade(
    todo: list[Job],
    problems: dict[str, Problem],
    jobs_n: int,
    level: str,
    limits: dict[str, Any],
    finish: Callable[[Job, Row], None],
) -> None:
    """Grade ``todo`` in a pool. When a worker dies (which breaks the whole pool), the
    unfinished jobs are graded again one pool each, so the culprit is found and only it
    becomes a judge error."""
    # forkserver: workers do not inherit the parent's threads (torch's, the progress bar's);
    # the server imports the grading modules (torch) once, so each worker starts warm.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["judge.grading", "judge.batch"])
    broken = _run_pool(todo, problems, jobs_n, level, limits, finish, context)
    pool = None
    try:
        for job in broken:  # one at a time in one worker: a death names its culprit
            pool = pool or _new_pool(1, context)
            try:
                row = pool.submit(grade_one, job, problems[job.slug], level, limits).result()
            except KeyboardInterrupt:
                _stop(pool)
                pool = None
                raise
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
    finish: Callable[[Job, Row], None],
    context: Any,
) -> list[Job]:
    """Grade ``todo`` in one pool; return the jobs lost to a broken pool."""
    broken: list[Job] = []
    pool = _new_pool(min(jobs_n, len(todo)), context)
    stopped = False
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
    except KeyboardInterrupt:  # SIGTERM or SIGINT: stop now, the finished rows are cached
        _stop(pool)
        stopped = True
        raise
    finally:
        if not stopped:
            pool.shutdown(wait=True, cancel_futures=True)
    return sorted(broken)
