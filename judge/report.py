"""GradeResult -> text, JSON, Gradescope, Exercism or JUnit XML.

Every function returns a string; the CLI decides where it goes. ``text`` is styled with
click (colour on a terminal: ``click.echo`` strips the styles in pipes and files).
"""

from __future__ import annotations

import ast
import json
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

import click

from judge.problems import Problem
from judge.results import GradeResult, TestResult
from judge.verdicts import Verdict

FORMATS = ("text", "json", "gradescope", "exercism", "junit")
EXERCISM_OUTPUT_CAP = 500


def _verdict_style(verdict: str | None) -> str:
    if verdict == Verdict.ACCEPTED:
        return click.style("ACCEPTED", fg="green", bold=True)
    label = (verdict or "judge error").upper().replace("_", " ")
    return click.style(label, fg="red" if verdict else "magenta", bold=True)


def _points(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _test_line(test: TestResult, width: int, scored: bool = True) -> list[str]:
    ok = test.verdict == Verdict.ACCEPTED
    mark = click.style("✓" if ok else "✗", fg="green" if ok else "red")
    label = "" if ok else click.style(f"  {test.verdict}", fg="red")
    if scored:
        points = f"  {_points(test.score)}/{_points(test.max_score)}  {test.time_s:.2f} s"
        lines = [f"  {mark} {test.name.ljust(width)}{points}{label}"]
    else:  # a check that scores nothing: its message is the news
        first = test.message.splitlines()[0] if test.message else ""
        lines = [f"  {mark} {test.name.ljust(width)}  {first}"]
    rest = test.message.splitlines()[0 if scored else 1 :]
    lines += [f"      {line}" for line in rest]
    if test.hint:
        first, *more = test.hint.splitlines() or [""]
        lines.append("      " + click.style("hint: ", fg="yellow", bold=True) + first)
        lines += [f"            {line}" for line in more]  # under the hint's first word
    return lines


def text(result: GradeResult) -> str:
    """A human-readable report: one line per test, messages and hints under failures."""
    which = "hidden" if result.hidden else "public"
    box = result.sandbox or {}
    if result.summary is not None:
        return _unscored(result)
    head = (
        f"{click.style(result.problem, bold=True)}: {_verdict_style(result.verdict)}  "
        f"{_points(result.score)}/{_points(result.max_score)}  "
        f"({which} tests, {result.time_s:.1f} s, sandbox {box.get('level', '?')}, "
        f"network {box.get('network', '?')}"
        + (f", seed {result.seed}" if result.seed is not None else "")
        + ")"
    )
    lines = [head]
    if result.grading_status != "graded":
        lines.append(click.style("judge error: ", fg="magenta", bold=True) + str(result.error))
        lines.append("  (a failure of the judge, not of the submission)")
    width = max((len(t.name) for t in result.tests), default=0)
    for test in result.tests:
        lines += _test_line(test, width)
    return "\n".join(lines) + "\n"


def _unscored(result: GradeResult) -> str:
    """A check that scores nothing (a quiz's ``judge test``): the summary stands where the
    score would, and each line says what was found instead of 0/0."""
    ready = result.accepted
    label = click.style(
        "READY" if ready else "NOT READY", fg="green" if ready else "red", bold=True
    )
    lines = [
        f"{click.style(result.problem, bold=True)}: {label}  {result.summary}"
        "  (form only, nothing scored: `judge grade` scores the answers)"
    ]
    width = max((len(t.name) for t in result.tests), default=0)
    for test in result.tests:
        lines += _test_line(test, width, scored=False)
    return "\n".join(lines) + "\n"


def as_json(result: GradeResult) -> str:
    """The JSON object of docs/design.md (plus ``grading_status``)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _feedback(test: TestResult) -> str:
    parts = [] if test.verdict == Verdict.ACCEPTED else [test.verdict]
    if test.message:
        parts.append(test.message)
    if test.hint:
        parts.append(f"hint: {test.hint}")
    return "\n".join(parts)


def gradescope(result: GradeResult) -> str:
    """Gradescope's results.json: only the keys its autograder specification documents
    (top level: score, execution_time, output, visibility, tests; per test: name, score,
    max_score, status, output, visibility). Hidden tests are visible "after_published"."""
    visibility = "after_published" if result.hidden else "visible"
    data: dict[str, Any] = {
        "score": round(result.score, 6),
        "execution_time": round(result.time_s, 3),
        "output": (
            f"{result.problem}: {result.verdict or 'judge error'} "
            f"({_points(result.score)}/{_points(result.max_score)})"
            + (f"\njudge error: {result.error}" if result.error else "")
        ),
        "visibility": "visible",
        "tests": [
            {
                "name": t.name,
                "score": round(t.score, 6),
                "max_score": round(t.max_score, 6),
                "status": "passed" if t.verdict == Verdict.ACCEPTED else "failed",
                "output": _feedback(t),
                "visibility": visibility,
            }
            for t in result.tests
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


EXERCISM_TRUNCATED = "Output was truncated. Please limit to 500 chars"


def exercism_output(printed: str) -> str:
    """The candidate's own prints for Exercism's per-test ``output``: at most 500 characters,
    cut with the interface's own note when longer."""
    if len(printed) <= EXERCISM_OUTPUT_CAP:
        return printed
    return printed[: EXERCISM_OUTPUT_CAP - len(EXERCISM_TRUNCATED) - 1] + "\n" + EXERCISM_TRUNCATED


def test_code(problem: Problem | None, name: str, hidden: bool) -> str:
    """What Exercism shows as a test's ``test_code``: the body of a public test; for a
    hidden test only its docstring (hidden code never leaves the judge); for a quiz the
    question's id."""
    if problem is None:
        return name
    if problem.is_quiz:
        return f"question {name}"
    path = problem.tests_file("hidden" if hidden else "public")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return name
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if fn is None:
        return name
    doc = ast.get_docstring(fn)
    if hidden:
        return f"{name}: {doc}" if doc else f"{name} (a hidden test: its code is not shown)"
    body = fn.body[1:] if doc else fn.body
    if not body:
        return name
    lines = path.read_text(encoding="utf-8").splitlines()
    return textwrap.dedent("\n".join(lines[body[0].lineno - 1 : body[-1].end_lineno]))


_EXERCISM_STATUS: dict[str, str] = {Verdict.ACCEPTED: "pass", Verdict.WRONG_ANSWER: "fail"}
"""Exercism's status per verdict; every other verdict is ``"error"``."""


def exercism(result: GradeResult, problem: Problem | None = None) -> str:
    """Exercism's test-runner results.json, interface version 3.

    Per test: ``name``, ``test_code`` (see :func:`test_code`), ``status``, ``message`` (the
    judge's feedback, hint included), ``output`` (the candidate's own prints, capped at 500
    characters; the judge cannot tell which call printed what, so the whole run's prints go
    on the first failing test, or the first test when all pass) and ``task_id`` where the
    problem has tasks (a quiz: each question is one, numbered in order). Top-level
    ``message`` only with ``status: "error"`` (no test ran: the file did not compile or the
    judge failed).
    """
    printed = exercism_output(result.output) if result.output else ""
    failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
    carrier = failing[0] if failing else (result.tests[0] if result.tests else None)
    tests = []
    for number, t in enumerate(result.tests, 1):
        status = _EXERCISM_STATUS.get(t.verdict, "error")
        entry: dict[str, Any] = {
            "name": t.name,
            "test_code": test_code(problem, t.name, result.hidden),
            "status": status,
        }
        if status != "pass":
            entry["message"] = _feedback(t)
        if printed and t is carrier:
            entry["output"] = printed
        if problem is not None and problem.is_quiz:
            entry["task_id"] = number
        tests.append(entry)
    data: dict[str, Any] = {"version": 3}
    if result.grading_status != "graded":
        data.update(status="error", message=f"judge error: {result.error}")
    elif failing and all(t.verdict == Verdict.COMPILE_ERROR for t in result.tests):
        data.update(status="error", message=failing[0].message)
    else:
        data["status"] = "fail" if failing else "pass"
    if data["status"] != "error":
        data["tests"] = tests
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def junit(result: GradeResult) -> str:
    """JUnit XML: wrong answers are failures, other verdicts errors."""
    failures = sum(t.verdict == Verdict.WRONG_ANSWER for t in result.tests)
    errors = sum(t.verdict not in (Verdict.ACCEPTED, Verdict.WRONG_ANSWER) for t in result.tests)
    errors += result.grading_status != "graded"
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=result.problem,
        tests=str(len(result.tests) + (result.grading_status != "graded")),
        failures=str(failures),
        errors=str(errors),
        time=f"{result.time_s:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in {
        "verdict": result.verdict or "",
        "score": _points(result.score),
        "max_score": _points(result.max_score),
        "grading_status": result.grading_status,
        **{f"sandbox.{k}": v for k, v in (result.sandbox or {}).items()},
    }.items():
        ET.SubElement(props, "property", name=key, value=str(value))
    for t in result.tests:
        case = ET.SubElement(
            suite, "testcase", classname=result.problem, name=t.name, time=f"{t.time_s:.3f}"
        )
        if t.verdict != Verdict.ACCEPTED:
            tag = "failure" if t.verdict == Verdict.WRONG_ANSWER else "error"
            node = ET.SubElement(case, tag, message=t.message or t.verdict, type=t.verdict)
            node.text = _feedback(t)
    if result.grading_status != "graded":
        case = ET.SubElement(suite, "testcase", classname=result.problem, name="judge")
        ET.SubElement(case, "error", message=str(result.error), type="judge_error")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def render(result: GradeResult, fmt: str, problem: Problem | None = None) -> str:
    """The report in one of :data:`FORMATS` (``problem`` gives Exercism its test code)."""
    renderers = {
        "text": text,
        "json": as_json,
        "gradescope": gradescope,
        "exercism": exercism,
        "junit": junit,
    }
    if fmt not in renderers:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    if fmt == "exercism":
        return exercism(result, problem)
    return renderers[fmt](result)
