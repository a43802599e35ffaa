"""Command-line conventions: NO_COLOR, --problems anywhere, one line for an OSError,
shell completion of slugs, ``python -m judge`` as the entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from judge.cli import cli
from judge.resources import DISTRIBUTION

FIXTURES = Path(__file__).parent / "fixtures"


def python_m_judge(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "judge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def test_no_color_turns_styles_off() -> None:
    args = ["--problems", str(FIXTURES), "list", "--tag", "fixture"]
    styled = CliRunner().invoke(cli, args, color=True)
    assert styled.exit_code == 0 and "\x1b[" in styled.stdout
    plain = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 0 and "\x1b[" not in plain.stdout and "double" in plain.stdout


def test_problems_is_accepted_before_and_after_the_command(tmp_path: Path) -> None:
    before = CliRunner().invoke(cli, ["--problems", str(FIXTURES), "list", "--json"])
    after = CliRunner().invoke(cli, ["list", "--json", "--problems", str(FIXTURES)])
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert "double" in {p["slug"] for p in json.loads(after.stdout)}
    other = tmp_path / "pack"
    other.mkdir()
    both = CliRunner().invoke(
        cli, ["--problems", str(other), "show", "double", "--problems", str(FIXTURES)]
    )
    assert both.exit_code == 0 and "Double a tensor" in both.stdout
    nested = CliRunner().invoke(cli, ["site", "build", "--help"])
    assert "--problems" in nested.stdout


def test_env_pack_is_read_too(tmp_path: Path) -> None:
    run = CliRunner().invoke(cli, ["show", "double"], env={"JUDGE_PROBLEMS": str(FIXTURES)})
    assert run.exit_code == 0 and "Double a tensor" in run.stdout


def test_an_uncaught_oserror_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = python_m_judge("--problems", str(FIXTURES), "init", "double", str(blocker / "work"))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and str(blocker) in run.stderr


def test_shell_completion_offers_slugs() -> None:
    run = python_m_judge(
        _JUDGE_COMPLETE="bash_complete",
        COMP_WORDS=f"judge --problems {FIXTURES} grade dou",
        COMP_CWORD="4",
    )
    assert run.returncode == 0 and "double" in run.stdout.split()[0]


def test_python_m_judge_is_the_command() -> None:
    run = python_m_judge("--version")
    assert run.returncode == 0 and DISTRIBUTION in run.stdout


END_AFTER_TORCH = """
import atexit, sys
import torch
from judge.cli import end
atexit.register(lambda: open(sys.argv[1], "w").write("ran"))
sys.stdout.write("x" * 200_000)  # more than a pipe holds
sys.stdout.write("tail")  # still in the buffer at the end
status = sys.argv[2]
end(int(status) if status.isdigit() else status)
"""


@pytest.mark.parametrize(("status", "code"), [("0", 0), ("1", 1), ("2", 2), ("a message", 1)])
def test_the_quick_exit_keeps_what_sys_exit_promises(
    tmp_path: Path, status: str, code: int
) -> None:
    """Once torch is loaded `judge` ends without the interpreter's teardown: the status, the
    exit functions (they close the sandbox's template) and the buffered output all stay."""
    marker = tmp_path / "atexit"
    run = subprocess.run(
        [sys.executable, "-c", END_AFTER_TORCH, str(marker), status],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert run.returncode == code, run.stderr
    assert run.stdout == "x" * 200_000 + "tail"
    assert marker.read_text() == "ran"
    assert ("a message" in run.stderr) == (status == "a message")
