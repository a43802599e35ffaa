"""The `judge` command through click's CliRunner: output and exit status (0/1/2)."""

from __future__ import annotations

import json
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
