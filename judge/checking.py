"""check_problem: a problem folder is complete and its tests tell right from wrong.

The solution (through the sandbox) and every alternative are accepted; the starter is
rejected; every known mistake is rejected with its own hint on a failing test, and the
public tests reject at least half of them; a quiz's key scores full marks and every wrong
answer file less (docs/authoring.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from judge import layout
from judge.grading import Session, grade
from judge.problems import Problem, ProblemError, is_bundled
from judge.quiz import check_quiz
from judge.results import CheckItem, CheckResult, GradeResult
from judge.scaffold import todos
from judge.verdicts import Verdict


def _summary(result: GradeResult) -> str:
    if result.grading_status != "graded":
        return f"judge error: {result.error}"
    failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
    head = f"{result.verdict}, {result.score:g}/{result.max_score:g}"
    if result.seed is not None:
        head += f" (seed {result.seed})"
    if failing:
        t = failing[0]
        head += f"; first failing {t.name}: {t.message}" + (f" [hint: {t.hint}]" if t.hint else "")
    return head


PARTS = ("solution", "alternatives", "starter", "mistakes")


def check_problem(
    problem: Problem,
    *,
    level: str = "auto",
    others_level: str | None = None,
    parts: Sequence[str] = PARTS,
    seed: int | None = None,
) -> CheckResult:
    """The folder is complete; the solution and alternatives are accepted; the starter and
    every known mistake are rejected, each mistake with its own hint on a failing test; the
    public tests reject at least half of the known mistakes (they teach the contract).

    ``level`` runs the solution on the hidden tests: the real path, through the sandbox.
    ``others_level`` (default: the same) runs the alternatives, the starter and the mistakes;
    CI runs them in-process to save a sandbox boot each (they are the problem's own trusted
    files, and the tests and hints they meet are the same). The solution's public-test run
    is always in-process. For ``auto``, the sandbox is used when ``judge.runner.sandbox`` exists,
    InProcess otherwise. ``parts`` limits what is graded (CI checks only the solution and
    the starter of the outcome problems, whose every run trains a model). ``seed`` fixes
    the hidden tests' inputs for every file; by default each grade draws its own, and a
    failure names the seed that replays it (``judge grade --seed N``).
    """
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; expected some of {PARTS}")
    check = CheckResult(problem.slug)
    optional = () if is_bundled(problem) else layout.translations(problem.kind)
    for name in layout.complete_set(problem.kind):
        present = (problem.path / name).is_file()
        if not present and name in optional:
            warnings.warn(f"{problem.slug}: no {name} (optional in a private pack)", stacklevel=2)
            continue
        check.items.append(CheckItem(name, "present", present, "" if present else "missing"))
    left = todos(problem.path)
    if left:
        shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
        check.items.append(CheckItem("TODO markers", "none left", False, shown))
    if problem.is_quiz:
        check.items += check_quiz(problem)
        return check
    level = _available(level)
    others_level = _available(others_level or level)
    session = Session(problem)
    try:
        for which in ("public", "hidden"):
            session.tests(which)
    except ProblemError as exc:
        check.items.append(CheckItem("tests", "loadable", False, str(exc)))
        return check

    def run(path: Path, which: str, lvl: str) -> GradeResult:
        return grade(problem, path, tests=which, level=lvl, session=session, seed=seed)

    solution_runs = (("public", "in-process"), ("hidden", level)) if "solution" in parts else ()
    for which, lvl in solution_runs:
        result = run(problem.solution, which, lvl)
        check.items.append(
            CheckItem(f"solution.py ({which} tests)", "accepted", result.accepted, _summary(result))
        )
    hidden_total = sum(t.points for t in session.tests("hidden"))
    if abs(hidden_total - problem.points) > 1e-6:
        check.items.append(
            CheckItem(
                "hidden_tests.py",
                f"points sum to {problem.points:g}",
                False,
                f"the tests' points sum to {hidden_total:g}",
            )
        )
    for path in problem.alternatives if "alternatives" in parts else ():
        result = run(path, "hidden", others_level)
        name = f"alternatives/{path.name}"
        check.items.append(CheckItem(name, "accepted", result.accepted, _summary(result)))
    if "starter" in parts:
        result = run(problem.starter, "hidden", others_level)
        rejected = result.grading_status == "graded" and not result.accepted
        check.items.append(CheckItem("starter.py", "rejected", rejected, _summary(result)))
    public_rejects = 0
    for mistake in session.mistakes if "mistakes" in parts else ():
        public = run(mistake.path, "public", "in-process")
        public_rejects += public.grading_status == "graded" and not public.accepted
        result = run(mistake.path, "hidden", others_level)
        rejected = result.grading_status == "graded" and not result.accepted
        failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
        hinted = any(t.hint and mistake.hint in t.hint for t in failing)
        check.notes += _hint_notes(mistake, failing)
        message = _summary(result)
        if not mistake.hint:
            message = "no hint: the module docstring's first paragraph is empty; " + message
        elif rejected and not hinted:
            message = f"rejected but without its hint {mistake.hint!r}; " + message
        check.items.append(
            CheckItem(
                f"mistakes/{mistake.path.name}",
                "rejected with its hint",
                rejected and hinted and bool(mistake.hint),
                message,
            )
        )
    if "mistakes" in parts and len(session.mistakes):
        total = len(session.mistakes)
        check.items.append(
            CheckItem(
                "public_tests.py",
                "rejects at least half of mistakes/",
                2 * public_rejects >= total,
                f"the public tests reject {public_rejects} of the {total} known mistakes",
            )
        )
    return check


def _hint_notes(mistake: Any, failing: list) -> list[str]:
    """Where a known mistake's failing tests show another hint, or none (shadowing)."""
    stem, own = mistake.path.name, mistake.hint
    shadowed = [t.name for t in failing if t.hint and own not in t.hint]
    bare = [t.name for t in failing if not t.hint]
    notes = []
    if shadowed:
        notes.append(f"mistakes/{stem}: another mistake's hint, not its own, on {shadowed}")
    if bare:
        notes.append(f"mistakes/{stem}: no hint on {bare}")
    return notes


def _available(level: str) -> str:
    """``auto`` falls back to in-process for trusted files while the sandbox is missing."""
    if level != "auto":
        return level
    try:
        import judge.runner.sandbox  # noqa: F401
    except ImportError:
        return "in-process"
    return "auto"
