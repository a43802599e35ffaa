"""The judge's own side against hostile submissions, graded end to end (issue: "the judge's
own side survives anything a reply or a file can hold").

- forged probes and arguments-after (``judge_side/*.py``, each naming its ``PROBLEM``, and
  its ``VERDICT`` where the harness must notice the attempt) are never accepted: patched
  torch or harness (directly, through frames, through ctypes or ``/proc/self/mem``);
- a forged "started" message with a huge signature is a verdict, not a judge error;
- links, FIFOs and hard links are refused as ``compile_error`` without being read;
- a submission's total time is bounded (``total_time_limit_s``), and so is every message;
- ``judge grade`` and ``grade-batch`` print no escape, no lone surrogate and no traceback
  for a hostile exception; the batch writes every report, never quotes hidden tests through
  a link, and regrades a cache entry that was edited.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from judge.grading import grade
from judge.problems import find_problem, load_problem
from judge.runner.sandbox import REPO_ROOT

HERE = Path(__file__).parent
PACK = REPO_ROOT / "tests" / "judge" / "fixtures" / "attacks"
FORGERS = sorted((HERE / "judge_side").glob("*.py"))
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def constant(path: Path, name: str) -> str | None:
    """The value of a module-level ``NAME = "..."`` in an attack file (None if absent)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    return None


def problem_of(path: Path) -> str:
    problem = constant(path, "PROBLEM")
    assert problem, f"{path.name} names no PROBLEM"
    return problem


@pytest.mark.parametrize("attack", FORGERS, ids=[p.stem for p in FORGERS])
def test_forged_probes_and_arguments_after_are_not_believed(attack: Path) -> None:
    """Never accepted; where the attack names its ``VERDICT`` (the harness notices the attempt
    itself: the seal, the guard), exactly that."""
    result = grade(find_problem(problem_of(attack)), attack)
    assert result.grading_status == "graded", result.error
    assert result.verdict != "accepted" and result.score < result.max_score
    expected = constant(attack, "VERDICT")
    if expected is not None:
        failing = [t.message for t in result.tests if t.verdict != "accepted"][:2]
        assert result.verdict == expected, (result.verdict, failing)


def test_a_forged_huge_signature_is_a_verdict() -> None:
    result = grade(find_problem("solve-double", [PACK]), HERE / "reply_started_signature.py")
    assert result.grading_status == "graded", result.error
    assert result.verdict == "runtime_error"


def test_links_fifos_and_hard_links_are_refused_unread(tmp_path: Path) -> None:
    problem = find_problem("solve-double", [PACK])
    (tmp_path / "to_solution.py").symlink_to(problem.solution)
    (tmp_path / "to_hidden.py").symlink_to(problem.path / "hidden_tests.py")
    os.mkfifo(tmp_path / "fifo.py")  # reading it would block the judge forever
    (tmp_path / "one.py").write_text("def solve(x):\n    return x * 2\n")
    os.link(tmp_path / "one.py", tmp_path / "two.py")
    reasons = {
        "to_solution": "symbolic link",
        "to_hidden": "symbolic link",
        "fifo": "not a regular file",
        "two": "hard link",
    }
    for stem, why in reasons.items():
        result = grade(problem, tmp_path / f"{stem}.py")
        assert (result.verdict, result.score) == ("compile_error", 0.0), stem
        assert why in result.tests[0].message, result.tests[0].message


BUDGET_TESTS = """
from judge.testing import expect


def test_huge_message(candidate):
    expect(False, "x" * 5_000_000)
""" + "".join(f"\n\ndef test_call_{i}(candidate):\n    candidate.solve(1.0)\n" for i in range(6))


def test_a_submission_has_a_total_time_budget_and_messages_are_capped(tmp_path: Path) -> None:
    folder = tmp_path / "pack" / "solve-double"
    shutil.copytree(PACK / "solve-double", folder)
    toml = (folder / "problem.toml").read_text().replace("time_limit_s = 10", "time_limit_s = 2")
    (folder / "problem.toml").write_text(toml + "total_time_limit_s = 4\n")
    (folder / "hidden_tests.py").write_text(BUDGET_TESTS)
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\n\n\ndef solve(x):\n    time.sleep(1000)\n")
    result = grade(load_problem(folder), sleeper)
    assert result.grading_status == "graded", result.error
    assert len(result.tests[0].message) < 2200, "a message must be capped"
    calls = result.tests[1:]
    assert all(t.verdict == "time_limit" for t in calls)
    skipped = [t for t in calls if t.message.startswith("not run")]
    assert len(skipped) >= 3, [t.message for t in calls]  # at most 3 of 6 calls may run


def judge(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUDGE_NO_HISTORY": "1", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "judge", "--problems", str(PACK), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, timeout=600, env=env)


def test_judge_grade_prints_a_hostile_message_safely(tmp_path: Path) -> None:
    run = judge("grade", "solve-double", str(HERE / "exc_ansi_surrogate.py"), cwd=tmp_path)
    out, err = run.stdout.decode("utf-8"), run.stderr.decode("utf-8")
    assert run.returncode == 1, err[-2000:]
    assert "runtime_error" in out and "Traceback" not in err
    assert not CONTROL.search(out + err.replace("\n", "")), repr(out)


def test_batch_of_hostile_files_writes_every_report_and_distrusts_its_cache(
    tmp_path: Path,
) -> None:
    problem = find_problem("solve-double", [PACK])
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(HERE / "exc_ansi_surrogate.py", subs / "ansi.py")
    (subs / "to_solution.py").symlink_to(problem.solution)
    (subs / "to_hidden.py").symlink_to(problem.path / "hidden_tests.py")
    (subs / "to_hidden_too.py").symlink_to(problem.path / "hidden_tests.py")
    (subs / "honest.py").write_text("def solve(x):\n    return x * 2\n")
    out = tmp_path / "report"
    args = ["grade-batch", str(subs), "--problem", "solve-double", "--jobs", "1"]
    args += ["--cache", str(tmp_path / "cache"), "--similarity-threshold", "0.1"]
    args += ["--out", f"{out}.json", "--out", f"{out}.csv", "--out", f"{out}.html"]

    first = judge(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    rows = {r["candidate"]: r for r in json.loads(Path(f"{out}.json").read_text())["rows"]}
    assert {c: r["verdict"] for c, r in rows.items()} == {
        "ansi": "runtime_error",
        "to_solution": "compile_error",
        "to_hidden": "compile_error",
        "to_hidden_too": "compile_error",
        "honest": "accepted",
    }
    assert "symbolic link" in rows["to_solution"]["tests"][0]["message"]
    page = Path(f"{out}.html").read_text(encoding="utf-8")
    hidden = (problem.path / "hidden_tests.py").read_text()
    assert "def test_solve" in hidden and "def test_solve" not in page
    for text in (first.stdout.decode(), page, Path(f"{out}.csv").read_text(encoding="utf-8")):
        assert not CONTROL.search(text.replace("\n", "").replace("\r", "")), "escape printed"

    again = judge(*args, cwd=tmp_path)
    assert b"(5 from the cache)" in again.stderr
    # an interviewer's (or a candidate's) edit of a cached verdict does not verify
    for entry in (tmp_path / "cache").rglob("*.json"):
        data = json.loads(entry.read_text())
        if data["row"]["candidate"] == "ansi":
            data["row"]["verdict"], data["row"]["score"] = "accepted", data["row"]["max_score"]
            entry.write_text(json.dumps(data))
    edited = judge(*args, cwd=tmp_path)
    assert b"(4 from the cache)" in edited.stderr, edited.stderr[-500:]
    rows = {r["candidate"]: r for r in json.loads(Path(f"{out}.json").read_text())["rows"]}
    assert rows["ansi"]["verdict"] == "runtime_error"
