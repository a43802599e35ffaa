"""GradeResult -> text, JSON, Gradescope, Exercism or JUnit XML.

Every function returns a string; the CLI decides where it goes. ``text`` is styled with
click (colour on a terminal: ``click.echo`` strips the styles in pipes and files).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import click

from judge.grading import GradeResult, TestResult
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


def _test_line(test: TestResult, width: int) -> list[str]:
    ok = test.verdict == Verdict.ACCEPTED
    mark = click.style("✓" if ok else "✗", fg="green" if ok else "red")
    label = "" if ok else click.style(f"  {test.verdict}", fg="red")
    lines = [
        f"  {mark} {test.name.ljust(width)}  {_points(test.score)}/{_points(test.max_score)}"
        f"  {test.time_s:.2f} s{label}"
    ]
    if test.message:
        lines += [f"      {line}" for line in test.message.splitlines()]
    if test.hint:
        lines.append("      " + click.style("hint: ", fg="yellow", bold=True) + test.hint)
    return lines


def text(result: GradeResult) -> str:
    """A human-readable report: one line per test, messages and hints under failures."""
    which = "hidden" if result.hidden else "public"
    box = result.sandbox or {}
    head = (
        f"{click.style(result.problem, bold=True)}: {_verdict_style(result.verdict)}  "
        f"{_points(result.score)}/{_points(result.max_score)}  "
        f"({which} tests, {result.time_s:.1f} s, sandbox {box.get('level', '?')}, "
        f"network {box.get('network', '?')})"
    )
    lines = [head]
    if result.grading_status != "graded":
        lines.append(click.style("judge error: ", fg="magenta", bold=True) + str(result.error))
        lines.append("  (a failure of the judge, not of the submission)")
    width = max((len(t.name) for t in result.tests), default=0)
    for test in result.tests:
        lines += _test_line(test, width)
    return "\n".join(lines) + "\n"


def as_json(result: GradeResult) -> str:
    """The result as a JSON object (plus ``grading_status``)."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _feedback(test: TestResult) -> str:
    parts = [] if test.verdict == Verdict.ACCEPTED else [test.verdict]
    if test.message:
        parts.append(test.message)
    if test.hint:
        parts.append(f"hint: {test.hint}")
    return "\n".join(parts)


def gradescope(result: GradeResult) -> str:
    """Gradescope's results.json (hidden tests are visible "after_published")."""
    visibility = "after_published" if result.hidden else "visible"
    data: dict[str, Any] = {
        "score": round(result.score, 6),
        "max_score": round(result.max_score, 6),
        "execution_time": round(result.time_s, 3),
        "output": (
            f"{result.problem}: {result.verdict or 'judge error'}"
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


def exercism(result: GradeResult) -> str:
    """Exercism test-runner results.json, version 3."""
    tests = []
    for t in result.tests:
        status = {Verdict.ACCEPTED: "pass", Verdict.WRONG_ANSWER: "fail"}.get(t.verdict, "error")
        entry = {"name": t.name, "status": status}
        if status != "pass":
            entry["message"] = _feedback(t)
        if t.hint:
            entry["output"] = t.hint[:EXERCISM_OUTPUT_CAP]
        tests.append(entry)
    data: dict[str, Any] = {"version": 3}
    failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
    if result.grading_status != "graded":
        data.update(status="error", message=f"judge error: {result.error}")
    elif failing and all(t.verdict == Verdict.COMPILE_ERROR for t in result.tests):
        data.update(status="error", message=failing[0].message)
    else:
        data["status"] = "fail" if failing else "pass"
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


def render(result: GradeResult, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    renderers = {
        "text": text,
        "json": as_json,
        "gradescope": gradescope,
        "exercism": exercism,
        "junit": junit,
    }
    if fmt not in renderers:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    return renderers[fmt](result)
