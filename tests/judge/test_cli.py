"""The `judge` command through click's CliRunner: output and exit status (0/1/2)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from judge.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
DOUBLE = FIXTURES / "double"


def judge(*args: str) -> tuple[int, str, str]:
    run = CliRunner().invoke(cli, ["--problems", str(FIXTURES), *args])
    return run.exit_code, run.stdout, run.stderr


def test_list_json_and_filters() -> None:
    code, out, _ = judge("list", "--tag", "fixture", "--json")
    assert code == 0
    assert [p["slug"] for p in json.loads(out)] == ["double", "quiz-tiny"]
    code, out, _ = judge("list", "--tag", "fixture", "--difficulty", "hard")
    assert code == 0 and "double" not in out


def test_show_in_both_languages() -> None:
    code, out, _ = judge("show", "double")
    assert code == 0 and "Return 2x" in out and "judge init double" in out  # math as text
    code, out, _ = judge("show", "double", "--raw")
    assert code == 0 and "Return $2x$" in out
    code, out, _ = judge("show", "double", "--lang", "zh")
    assert code == 0 and "张量加倍" in out


def test_unknown_slug_exit_2_with_suggestion() -> None:
    code, _, err = judge("show", "doubel")
    assert code == 2 and "did you mean double" in err


def test_init_copies_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out, _ = judge("init", "double", str(tmp_path / "ws"))
    assert code == 0 and "judge test double" in out
    assert (tmp_path / "ws" / "double.py").read_text() == (DOUBLE / "starter.py").read_text()
    assert (tmp_path / "ws" / "public_tests.py").is_file()
    code, _, err = judge("init", "double", str(tmp_path / "ws"))
    assert code == 2 and "--force" in err


def test_grade_exit_codes_and_text() -> None:
    code, out, _ = judge("grade", "double", str(DOUBLE / "solution.py"), "--level", "in-process")
    assert code == 0 and "ACCEPTED" in out and "\x1b[" not in out  # plain in pipes
    code, out, _ = judge(
        "grade", "double", str(DOUBLE / "mistakes" / "triple.py"), "--level", "in-process"
    )
    assert code == 1 and "WRONG ANSWER" in out and "hint: You multiply by three" in out


def test_test_runs_the_public_tests() -> None:
    code, out, _ = judge(
        "test", "double", str(DOUBLE / "mistakes" / "no_check.py"), "--level", "in-process"
    )
    assert code == 0 and "public tests" in out  # the public tests do not catch this one


def test_formats_and_out(tmp_path: Path) -> None:
    sub = str(DOUBLE / "mistakes" / "triple.py")
    code, out, _ = judge("grade", "double", sub, "--json", "--level", "in-process")
    assert code == 1 and json.loads(out)["verdict"] == "wrong_answer"
    target = tmp_path / "results.json"
    code, out, _ = judge(
        "grade",
        "double",
        sub,
        "--format",
        "gradescope",
        "--out",
        str(target),
        "--level",
        "in-process",
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["tests"][0]["visibility"] == "after_published"
    code, out, _ = judge("grade", "double", sub, "--format", "junit", "--level", "in-process")
    assert out.startswith("<?xml")


@pytest.mark.parametrize("fmt", ["text", "json", "gradescope", "exercism", "junit"])
@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00\x81", b"   \n"])
def test_empty_or_binary_file_is_a_compile_error_in_every_format(
    tmp_path: Path, content: bytes, fmt: str
) -> None:
    path = tmp_path / "sub.py"
    path.write_bytes(content)
    target = tmp_path / "results.out"
    code, _, err = judge(
        "grade", "double", str(path), "--format", fmt, "--out", str(target), "--level", "in-process"
    )
    assert code == 1, err
    assert target.is_file() and str(path) in target.read_text()
    if fmt == "json":
        assert json.loads(target.read_text())["verdict"] == "compile_error"
    if fmt == "exercism":
        assert json.loads(target.read_text())["status"] == "error"


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_no_file_to_grade_exit_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "sub.py"
    if kind == "folder":
        path.mkdir()
    code, _, err = judge("grade", "double", str(path), "--level", "in-process")
    assert code == 2 and str(path) in err


def test_quiz_graded_without_sandbox(tmp_path: Path) -> None:
    answers = tmp_path / "a.toml"
    answers.write_text('q1 = "B"\nq2 = ["A", "C"]\nq3 = false\nq4 = 0.25\n', encoding="utf-8")
    code, out, _ = judge("grade", "quiz-tiny", str(answers), "--json")
    assert code == 0 and json.loads(out)["score"] == 20


def test_quiz_test_checks_form_and_exits_0_only_when_every_answer_is_there(
    tmp_path: Path,
) -> None:
    """`judge test` on a quiz scores nothing: the header says how many questions are
    answered and which are missing or malformed; exit 0 only when all are well-formed."""
    answers = tmp_path / "a.toml"
    answers.write_text('q1 = "a"\nq3 = "maybe"\nq7 = 1\n', encoding="utf-8")
    code, out, _ = judge("test", "quiz-tiny", str(answers))
    head = out.splitlines()[0]
    assert code == 1 and head.startswith("quiz-tiny: NOT READY  format errors in q3")
    assert "1 of 4 well-formed; missing: q2, q4; 1 unknown key ignored" in head
    assert "0/0" not in out and "ACCEPTED" not in out
    assert re.search(r'✓ q1 +well-formed \(warning: read "a" as "A"', out)
    code, out, _ = judge("test", "quiz-tiny", str(answers), "--json")
    data = json.loads(out)
    assert code == 1 and data["summary"].startswith("format errors in q3;")
    assert {t["name"]: t["verdict"] for t in data["tests"]}["q2"] == "wrong_answer"
    answers.write_text('q1 = "C"\nq2 = ["B"]\nq3 = true\nq4 = 9\n', encoding="utf-8")
    code, out, _ = judge("test", "quiz-tiny", str(answers))
    assert code == 0 and out.startswith("quiz-tiny: READY  format OK: 4 of 4 answered")
    assert "B is the one" not in out  # a form check reveals no key


def test_quiz_grade_shows_why_the_pick_is_wrong_and_the_answer(tmp_path: Path) -> None:
    answers = tmp_path / "a.toml"
    answers.write_text('q1 = "C"\nq2 = ["A", "C"]\nq3 = false\n', encoding="utf-8")
    code, out, _ = judge("grade", "quiz-tiny", str(answers))
    assert code == 1
    q1 = out[out.index("✗ q1") : out.index("q2")]
    assert "hint: C (your pick): C says 'not this either'." in q1
    assert "            answer: B\n            B is the one." in q1  # under the hint's text
    assert "answer: 0.25 (± 0.01)" in out  # q4, unanswered
    assert "RUBRIC-ONLY-FOR-INTERVIEWERS" not in out
    code, out, _ = judge("grade", "quiz-tiny", str(answers), "--json")
    hints = {t["name"]: t["hint"] for t in json.loads(out)["tests"]}
    assert code == 1 and "summary" not in json.loads(out)
    assert hints["q1"] == "C (your pick): C says 'not this either'.\nanswer: B\nB is the one."
    assert hints["q2"] is None and hints["q4"] == "answer: 0.25 (± 0.01)\nA quarter."
    assert "RUBRIC-ONLY-FOR-INTERVIEWERS" not in out


def test_check_problems_ok_and_broken(tmp_path: Path) -> None:
    code, out, _ = judge("check-problems", "double", "quiz-tiny", "--level", "in-process")
    assert code == 0 and "all 2 problems check out" in out
    pack = tmp_path / "pack"
    shutil.copytree(DOUBLE, pack / "double")
    shutil.copy(DOUBLE / "solution.py", pack / "double" / "starter.py")
    run = CliRunner().invoke(
        cli, ["--problems", str(pack), "check-problems", "double", "--level", "in-process"]
    )
    assert run.exit_code == 2 and "starter.py: expected rejected" in run.stdout


def test_python_dash_m_judge() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "judge", "--help"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and "check-problems" in run.stdout


def test_judge_error_exit_2_never_blamed_on_the_submission(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(DOUBLE, pack / "double")
    (pack / "double" / "solution.py").write_text("def double(x):\n    raise RuntimeError\n")
    args = ["--problems", str(pack), "grade", "double", str(DOUBLE / "solution.py")]
    run = CliRunner().invoke(cli, [*args, "--level", "in-process", "--json"])
    assert run.exit_code == 2
    data = json.loads(run.stdout)
    assert data["grading_status"] == "judge_error" and data["verdict"] is None


def test_grade_seed_is_recorded_and_replayable() -> None:
    sub = str(DOUBLE / "solution.py")
    code, out, _ = judge("grade", "double", sub, "--json", "--level", "in-process", "--seed", "7")
    assert code == 0 and json.loads(out)["seed"] == 7
    code, out, _ = judge("grade", "double", sub, "--level", "in-process", "--seed", "7")
    assert "seed 7" in out
    code, _, _ = judge("grade", "double", sub, "--level", "in-process", "--seed", "-1")
    assert code == 2  # a usage error
