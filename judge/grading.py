"""Run a problem's tests against a submission: :func:`grade` -> :class:`GradeResult`.

Tests (``public_tests.py`` / ``hidden_tests.py``) are trusted code run here, in the judge's
process, in file order. Each asks for ``candidate`` (the submission, behind the sandbox),
``solution`` (the reference, in-process) and ``mistakes`` by parameter name. The problem's
verdict is its first failing test's; the score is the points of the tests that passed. A
failure of the judge itself (a broken test file, a reference that raises, a sandbox that
gives no status) makes the whole result ``grading_status = "judge_error"``: it is never
blamed on the submission.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import itertools
import math
import secrets
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.problems import Problem, ProblemError, is_bundled
from judge.quiz import grade_quiz
from judge.results import GradeResult, TestResult
from judge.runner.limits import Limits
from judge.runner.protocol import Runner
from judge.runner.sandbox import Sandbox
from judge.signatures import check, contract
from judge.submission import BadSubmission as BadSubmission  # callers catch it from here
from judge.submission import Unreadable, prepared, read_source
from judge.text import MESSAGE_CHARS, cap, clean
from judge.verdicts import JudgeError, SubmissionFailed, Verdict

# torch (through judge.testing and judge.runner.inprocess) is imported only when grading starts, so
# that the sandbox's child can boot while the judge's own process imports it.

LEVELS = ("auto", "isolated", "basic", "in-process")
FIXTURES = ("candidate", "solution", "mistakes", "problem", "seed")
SEED_RANGE = 2**31
"""Per-grade seeds are drawn from ``range(SEED_RANGE)``; public tests always get seed 0."""
_counter = itertools.count()


# -- loading tests ----------------------------------------------------------------------
@dataclass
class LoadedTest:
    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...]
    points: float


def load_tests(problem: Problem, which: str = "hidden") -> list[LoadedTest]:
    """The ``test_*`` functions of a tests file, in file order, with their points."""
    path = problem.tests_file(which)
    name = f"_judge_tests_{next(_counter)}_{problem.slug.replace('-', '_')}_{which}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ProblemError(f"{path}: missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ProblemError(f"{path}: cannot be loaded: {type(exc).__name__}: {exc}") from exc
    tests = []
    for attr, fn in vars(module).items():
        if not (attr.startswith("test_") and inspect.isfunction(fn)):
            continue
        params = tuple(inspect.signature(fn).parameters)
        unknown = [p for p in params if p not in FIXTURES]
        if unknown:
            raise ProblemError(
                f"{path}: {attr} asks for {unknown[0]!r}; tests may ask for {list(FIXTURES)}"
            )
        tests.append(LoadedTest(attr, fn, params, getattr(fn, "points", math.nan)))
    if not tests:
        raise ProblemError(f"{path}: no test_* functions")
    # Tests without @points share what the others leave of the problem's points.
    explicit = sum(t.points for t in tests if not math.isnan(t.points))
    rest = [t for t in tests if math.isnan(t.points)]
    share = max(problem.points - explicit, 0.0) / len(rest) if rest else 0.0
    for t in rest:
        t.points = share
    return tests


class Session:
    """What grading one problem needs, loaded once and reused across submissions."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._tests: dict[str, list[LoadedTest]] = {}
        self._solution: Any = None
        self._mistakes: Any = None

    def tests(self, which: str) -> list[LoadedTest]:
        if which not in self._tests:
            self._tests[which] = load_tests(self.problem, which)
        return self._tests[which]

    @property
    def solution(self) -> Any:
        """A :class:`~judge.testing.Proxy` over the reference, in-process."""
        from judge.runner.inprocess import InProcess  # imports torch: not before grading
        from judge.testing import Proxy  # imports torch: not before grading

        if self._solution is None:
            self._solution = InProcess(self.problem.solution, self.problem.entry_points)
        return Proxy(self._solution, reference=True)

    @property
    def mistakes(self) -> Any:
        """The problem's :class:`~judge.testing.Mistakes`."""
        from judge.testing import Mistakes  # imports torch: not before grading

        if self._mistakes is None:
            self._mistakes = Mistakes(self.problem.mistakes, self.problem.entry_points)
        return self._mistakes

    def warm(self) -> None:
        """Import the reference now (while a sandbox boots) rather than in the first test."""
        self.solution  # noqa: B018 (creates the runner)
        with contextlib.suppress(SubmissionFailed):  # the first test reports it
            self._solution.start()


# -- the runner -------------------------------------------------------------------------
def check_submission_file(path: Path) -> Path:
    """Refuse what cannot be graded at all, before any sandbox starts: :class:`BadSubmission`
    (missing, a directory) or :class:`Unreadable` (empty, undecodable; see judge.submission)."""
    read_source(Path(path))
    return Path(path)


def unreadable_result(problem: Problem, exc: Unreadable, *, hidden: bool = True) -> GradeResult:
    """The result for a file whose content cannot be graded: ``compile_error``, 0 points,
    the reason as its one test's message (so every report format has a file to write)."""
    result = GradeResult(problem.slug, str(Verdict.COMPILE_ERROR), 0.0, problem.points, 0.0)
    result.tests = [
        TestResult("submission", str(Verdict.COMPILE_ERROR), 0.0, problem.points, str(exc))
    ]
    result.hidden = hidden
    return result


def make_runner(problem: Problem, submission: Path, level: str, limits: Limits) -> Runner:
    """The sandbox (``auto`` / ``isolated`` / ``basic``) or, for trusted code, InProcess."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if level == "in-process":
        from judge.runner.inprocess import InProcess  # imports torch: not before grading

        return InProcess(submission, problem.entry_points, limits)
    # The repo is hidden by the sandbox itself; a private pack must be hidden too.
    hide = [problem.path] if is_bundled(problem) else [problem.path.parent]
    return Sandbox(
        submission, problem.entry_points, limits, level=level, hide=hide, packages=problem.packages
    )


class _Boot:
    """Start the runner's boot now and wait for it later, so that the child imports torch
    while the judge loads the tests and the reference (``Sandbox.launch`` returns at once;
    runners without ``launch`` simply start in :meth:`wait`)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.failure: SubmissionFailed | None = None
        launch = getattr(runner, "launch", None)
        if launch is not None:
            try:
                launch()
            except SubmissionFailed as failure:  # the file turned into a link meanwhile
                self.failure = failure

    def wait(self, starter: Path) -> SubmissionFailed | None:
        """The submission's import failure or a signature that breaks the contract (in
        ``starter``), if any; the judge's own errors are raised."""
        if self.failure is not None:
            return self.failure
        try:
            self.runner.start()
        except SubmissionFailed as failure:
            return failure
        signatures = getattr(self.runner, "signatures", None)  # the sandbox states them
        if signatures:
            mismatch = check(starter, signatures)
            if mismatch:
                return SubmissionFailed(Verdict.COMPILE_ERROR, mismatch)
        return None


def grade(
    problem: Problem,
    submission: str | Path,
    *,
    tests: str = "hidden",
    level: str = "auto",
    session: Session | None = None,
    seed: int | None = None,
    **limit_overrides: Any,
) -> GradeResult:
    """Grade ``submission`` on ``problem``'s ``tests`` ("hidden" or "public").

    ``limit_overrides`` replace fields of the problem's :class:`~judge.runner.limits.Limits`
    (``time_s``, ``memory_mb``, ...). Tests that ask for the ``seed`` fixture draw their
    inputs from it: the hidden tests get ``seed`` or, when it is None, a fresh one per grade
    (so a table of answers harvested from one grade fails the next), recorded in the result;
    the public tests always get 0 (their inputs are fixed). Raises :class:`BadSubmission`
    for a file that cannot be graded and :class:`ProblemError` for a broken problem; every
    other failure of the judge comes back as ``grading_status = "judge_error"``.
    """
    try:
        if problem.is_quiz:
            return grade_quiz(problem, check_submission_file(Path(submission)), tests=tests)
        # A .PY, a BOM, a PEP 263 encoding or a notebook: the sandbox gets plain UTF-8 source.
        with prepared(submission, problem.entry_points) as source:
            return _grade_code(problem, source, tests, level, session, seed, limit_overrides)
    except Unreadable as exc:  # empty, undecodable, a link: the submission's compile_error
        return unreadable_result(problem, exc, hidden=tests == "hidden")


def _grade_code(
    problem: Problem,
    submission: Path,
    tests: str,
    level: str,
    session: Session | None,
    seed: int | None,
    limit_overrides: dict[str, Any],
) -> GradeResult:
    session = session or Session(problem)
    limits = problem.limits.with_overrides(**limit_overrides)
    started = time.perf_counter()
    result = GradeResult(problem.slug, None, 0.0, 0.0, 0.0)
    result.hidden = tests == "hidden"
    result.seed = choose_seed(seed) if tests == "hidden" else None
    runner = None
    try:
        runner = make_runner(problem, submission, level, limits)
        boot = _Boot(runner)  # the child imports torch while we load the tests and reference
        try:
            loaded = session.tests(tests)
            result.max_score = sum(t.points for t in loaded)
            session.warm()
        finally:
            failure = boot.wait(problem.starter)
            result.sandbox = {"level": runner.level, "network": runner.network}
            for key in ("isolation", "reason"):  # how the sandbox isolates, or why it cannot
                if getattr(runner, key, ""):
                    result.sandbox[key] = getattr(runner, key)
            if getattr(runner, "seccomp", None) is False:  # e.g. an architecture it lacks
                result.sandbox["seccomp"] = "absent"
        if failure is not None:
            result.tests = [
                TestResult(t.name, str(failure.verdict), 0.0, t.points, failure.message)
                for t in loaded
            ]
        else:
            from judge.compare import revealing_expected  # torch: once the child boots
            from judge.testing import Proxy  # (likewise)

            fixtures = {
                "candidate": Proxy(runner, params=contract_params(problem)),
                "solution": session.solution,
                "mistakes": session.mistakes,
                "problem": problem,
                "seed": 0 if result.seed is None else result.seed,
            }
            with revealing_expected(tests == "public"):
                result.tests = run_tests(loaded, fixtures, runner, limits)
    except ProblemError:
        raise  # a broken problem: the caller's error (exit 2), not a result
    except JudgeError as exc:  # ReferenceFailed too
        result.grading_status = "judge_error"
        result.error = str(exc)
        result.verdict = None
    except Exception as exc:  # a bug of the judge: reported as such, never as a verdict
        result.grading_status = "judge_error"
        result.error = f"{type(exc).__name__}: {exc}"
        result.verdict = None
    finally:
        if runner is not None:
            try:
                runner.close()
            except Exception as exc:  # a close that fails must not hide the verdict
                result.error = result.error or f"closing the sandbox failed: {exc}"
            printed = getattr(runner, "output", "")  # complete once the child has gone
            result.output = printed if isinstance(printed, str) else ""
    result.time_s = time.perf_counter() - started
    if result.grading_status == "graded":
        result.score = sum(t.score for t in result.tests)
        failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
        result.verdict = failing[0].verdict if failing else str(Verdict.ACCEPTED)
    return result


def run_tests(
    loaded: list[LoadedTest], fixtures: dict[str, Any], runner: Any, limits: Any
) -> list[TestResult]:
    """Run the tests in order within the submission's total time budget
    (:meth:`~judge.runner.limits.Limits.total_budget`): the last call that starts may not run
    past it, and the tests after it are ``time_limit`` without running."""
    budget = limits.total_budget()
    began = time.monotonic()
    out = []
    for test in loaded:
        left = budget - (time.monotonic() - began)
        if left <= 0:
            message = f"not run: the submission used up its {budget:g} s for all the tests"
            out.append(TestResult(test.name, str(Verdict.TIME_LIMIT), 0.0, test.points, message))
            continue
        if left < limits.time_s and hasattr(runner, "limits"):
            runner.limits = limits.with_overrides(time_s=max(left, 1.0))
        out.append(run_test(test, fixtures))
    return out


def choose_seed(seed: int | None = None) -> int:
    """``seed`` itself, or a fresh one from the OS (not from any seeded generator)."""
    if seed is not None:
        if not 0 <= int(seed) < SEED_RANGE:
            raise ValueError(f"seed must be in [0, {SEED_RANGE}), not {seed}")
        return int(seed)
    return secrets.randbelow(SEED_RANGE)


def contract_params(problem: Problem) -> dict[str, tuple[str, ...]]:
    """Each entry point's parameter names as ``starter.py`` declares them (for messages)."""
    names = {}
    for entry in problem.entry_points:
        found = contract(problem.starter, entry) if problem.starter.is_file() else None
        if found is not None:
            names[entry] = (*found[1].positional, *found[1].keyword_only)
    return names


def run_test(test: LoadedTest, fixtures: dict[str, Any]) -> TestResult:
    """Run one test; a JudgeError escapes (the whole grade is then a judge error)."""
    from judge.testing import TestFailed  # imports torch: not before grading

    started = time.perf_counter()
    verdict, message, hint = str(Verdict.ACCEPTED), "", None
    try:
        test.fn(**{p: fixtures[p] for p in test.params})
    except TestFailed as failed:
        verdict, message, hint = str(Verdict.WRONG_ANSWER), failed.message, failed.hint
    except SubmissionFailed as failure:
        from judge.testing import failure_hint  # imports torch: not before grading

        verdict, message = str(failure.verdict), failure.message
        hint = failure_hint(failure, fixtures.get("mistakes"))
    except JudgeError:  # ReferenceFailed too: the whole grade is a judge error
        raise
    except AssertionError as exc:
        verdict, message = str(Verdict.WRONG_ANSWER), str(exc) or "assertion failed"
    except Exception as exc:
        # The test could not use what the submission returned (a list where a dict was
        # expected, say): the submission's answer is wrong, and the message says why.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        verdict = str(Verdict.WRONG_ANSWER)
        message = (
            f"the result could not be checked: {type(exc).__name__}: {exc} "
            f"(at {Path(frame.filename).name}:{frame.lineno})"
        )
    score = test.points if verdict == Verdict.ACCEPTED else 0.0
    message = cap(clean(message, MESSAGE_CHARS), MESSAGE_CHARS)  # a test may format a huge result
    return TestResult(
        test.name, verdict, score, test.points, message, hint, time.perf_counter() - started
    )
