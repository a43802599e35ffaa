"""The Runner protocol: both runners satisfy it, and the engine reports how the sandbox
isolates (or why it cannot)."""

from __future__ import annotations

from pathlib import Path

from judge.runner.inprocess import InProcess
from judge.runner.limits import Limits
from judge.runner.protocol import Runner
from judge.runner.sandbox import Sandbox, isolation_available


def test_both_runners_are_runners(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("def solve(x):\n    return x\n")
    assert isinstance(InProcess(path, ["solve"]), Runner)
    assert isinstance(Sandbox(path, ["solve"], Limits(), level="basic"), Runner)


def test_basic_level_says_why(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    box = Sandbox(path, ["solve"], Limits(), level="basic")
    ok, why = isolation_available()
    assert box.reason == (why if not ok else "asked for")
    assert box.isolation == ""
