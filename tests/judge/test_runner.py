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


def test_seccomp_filter_programs_for_both_architectures() -> None:
    from judge.runner.harness import guard

    for machine, audit in (("x86_64", 0xC000003E), ("aarch64", 0xC00000B7)):
        prog = guard._filter(machine)
        constants = {k for *_, k in prog}
        assert audit in constants
        assert set(guard._ARCHES[machine]["denied"]) <= constants
        assert guard._ARCHES[machine]["socket"] in constants
        assert all(nr in constants for nr in guard._ARCHES[machine]["pid_calls"])
        assert len(prog) < 256  # jump offsets are 8 bits
    assert 0x40000000 in {k for *_, k in guard._filter("x86_64")}  # the x32 ABI refused
    assert 0x40000000 not in {k for *_, k in guard._filter("aarch64")}
