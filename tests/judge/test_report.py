"""Report formats: text, json, gradescope, exercism v3, junit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import click
import pytest

from judge import report
from judge.results import GradeResult, TestResult


def result(**kw) -> GradeResult:
    tests = [
        TestResult("test_ok", "accepted", 4.0, 4.0, "", None, 0.01),
        TestResult("test_values", "wrong_answer", 0.0, 3.0, "max abs error 1", "T² missing", 0.02),
        TestResult("test_slow", "time_limit", 0.0, 3.0, "over 5 s", None, 5.0),
    ]
    base = dict(
        problem="double",
        verdict="wrong_answer",
        score=4.0,
        max_score=10.0,
        time_s=5.1,
        tests=tests,
        sandbox={"level": "isolated", "network": "blocked"},
    )
    base.update(kw)
    return GradeResult(**base)


def test_text_lists_tests_messages_and_hints() -> None:
    out = click.unstyle(report.text(result()))
    assert out.startswith("double: WRONG ANSWER  4/10")
    assert "sandbox isolated, network blocked" in out
    assert "✗ test_values" in out and "max abs error 1" in out and "hint: T² missing" in out
    assert "✓ test_ok" in out


def test_text_is_styled_for_terminals() -> None:
    assert "\x1b[" in report.text(result())


def test_json_round_trips() -> None:
    data = json.loads(report.as_json(result()))
    assert data["verdict"] == "wrong_answer" and data["sandbox"]["level"] == "isolated"
    assert data["tests"][1]["hint"] == "T² missing"


# The keys Gradescope's autograder specification documents (results.json).
GRADESCOPE_TOP = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
GRADESCOPE_TEST = {
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data",
}  # fmt: skip


@pytest.mark.parametrize(("hidden", "visibility"), [(True, "after_published"), (False, "visible")])
def test_gradescope(hidden: bool, visibility: str) -> None:
    r = result()
    r.hidden = hidden
    data = json.loads(report.gradescope(r))
    assert (data["score"], data["execution_time"]) == (4.0, 5.1)
    assert set(data) <= GRADESCOPE_TOP and "max_score" not in data
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed"]
    assert {t["visibility"] for t in data["tests"]} == {visibility}
    assert "hint: T² missing" in data["tests"][1]["output"]
    assert all(set(t) <= GRADESCOPE_TEST for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) == 10.0


def test_exercism_v3() -> None:
    data = json.loads(report.exercism(result()))
    assert data["version"] == 3 and data["status"] == "fail"
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "error"]
    assert "message" not in data["tests"][0] and "message" not in data
    assert all(isinstance(t["test_code"], str) and t["test_code"] for t in data["tests"])
    # The hint is the judge's feedback: it goes in the message, never in the output.
    assert "hint: T² missing" in data["tests"][1]["message"]
    assert not any("output" in t for t in data["tests"])
    accepted = result(verdict="accepted", tests=[TestResult("t", "accepted", 1, 1)])
    assert json.loads(report.exercism(accepted))["status"] == "pass"
    compile_error = result(
        verdict="compile_error", tests=[TestResult("t", "compile_error", 0, 1, "x.py:2:5")]
    )
    data = json.loads(report.exercism(compile_error))
    assert data["status"] == "error" and data["message"] == "x.py:2:5"
    judge_error = result(verdict=None, grading_status="judge_error", error="no status", tests=[])
    data = json.loads(report.exercism(judge_error))
    assert data["status"] == "error" and "no status" in data["message"]


def test_exercism_output_is_the_candidates_prints_capped_at_500() -> None:
    printed = result()
    printed.output = "x" * 2000
    data = json.loads(report.exercism(printed))
    outputs = [t["output"] for t in data["tests"] if "output" in t]
    assert len(outputs) == 1 and "output" in data["tests"][1]  # on the first failing test
    assert len(outputs[0]) == 500
    assert outputs[0].endswith("Output was truncated. Please limit to 500 chars")
    short = result(verdict="accepted", tests=[TestResult("t", "accepted", 1, 1)])
    short.output = "hello\n"
    assert json.loads(report.exercism(short))["tests"][0]["output"] == "hello\n"


def test_junit_parses_with_failures_and_errors() -> None:
    root = ET.fromstring(report.junit(result()).encode())
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("errors") == "1"
    cases = suite.findall("testcase")
    assert cases[1].find("failure").get("type") == "wrong_answer"
    assert cases[2].find("error").get("type") == "time_limit"
    assert cases[0].find("failure") is None
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["sandbox.level"] == "isolated" and props["verdict"] == "wrong_answer"


def test_render_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        report.render(result(), "yaml")
    for fmt in report.FORMATS:
        assert report.render(result(), fmt)
