"""judge progress: the history lives in XDG_DATA_HOME, records graded hidden-test results only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from judge import progress
from judge.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Result:
    problem: str
    verdict: str | None
    score: float
    max_score: float = 10.0
    grading_status: str = "graded"
    hidden: bool = True


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("JUDGE_NO_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def test_history_path_follows_xdg(data_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert progress.history_path() == data_home / "metajudge" / "history.jsonl"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", "/home/someone")
    assert progress.history_path() == Path("/home/someone/.local/share/metajudge/history.jsonl")


def test_summary_solved_attempted_best(data_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert progress.record(Result("double", "wrong_answer", 6.0))
    assert progress.record(Result("double", "accepted", 10.0))
    assert progress.record(Result("double", "wrong_answer", 3.0))
    assert progress.record(Result("other", "time_limit", 0.0))
    assert not progress.record(Result("other", None, 0.0, grading_status="judge_error"))
    assert not progress.record(Result("other", "accepted", 10.0, hidden=False))
    monkeypatch.setenv("JUDGE_NO_HISTORY", "1")
    assert not progress.record(Result("other", "accepted", 10.0))
    monkeypatch.delenv("JUDGE_NO_HISTORY")
    done = progress.summary(progress.read())
    assert (done["double"].attempts, done["double"].solved, done["double"].best_score) == (
        3,
        True,
        10.0,
    )
    assert (done["other"].attempts, done["other"].solved) == (1, False)


def test_corrupt_lines_are_skipped_and_unwritable_history_is_silent(
    data_home: Path, tmp_path: Path
) -> None:
    path = progress.history_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"problem": "double", "verdict": "accepted"}\nnot json\n\xff\n[1]\n')
    assert [e["problem"] for e in progress.read()] == ["double"]
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert not progress.record(Result("double", "accepted", 10.0), blocked / "history.jsonl")


def test_command_lists_every_problem_and_resets(data_home: Path) -> None:
    progress.record(Result("double", "accepted", 10.0))
    runner = CliRunner()
    result = runner.invoke(cli, ["--problems", str(FIXTURES), "progress"])
    assert result.exit_code == 0
    assert "double" in result.output and "best 10/10, 1 attempt" in result.output
    assert "quiz-tiny" in result.output and "not attempted" in result.output
    assert "solved 1, attempted 1" in result.output
    result = runner.invoke(cli, ["progress", "--reset"])
    assert result.exit_code == 0 and "deleted" in result.output
    assert not progress.history_path().exists()


def test_judge_grade_records_the_result(data_home: Path) -> None:
    """`judge grade` (hidden tests) appends to the history that `judge progress` reads."""
    from click.testing import CliRunner

    from judge.cli import cli

    fixtures = Path(__file__).parent / "fixtures"
    solution = fixtures / "double" / "solution.py"
    runner = CliRunner()
    graded = runner.invoke(
        cli,
        ["--problems", str(fixtures), "grade", "double", str(solution), "--level", "in-process"],
    )
    assert graded.exit_code == 0, graded.output
    shown = runner.invoke(cli, ["--problems", str(fixtures), "progress", "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"double"' in shown.output
