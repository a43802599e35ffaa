"""The Runner protocol: both runners satisfy it, and the engine reports how the sandbox
isolates (or why it cannot)."""

from __future__ import annotations

import json
import subprocess
import sys
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


GUARDED_OPENS = """
import json, sys
from judge.runner.harness import guard
forbidden, allowed, paths = json.loads(sys.argv[1])
guard.install(forbidden, allowed)
out = {}
for path in paths:
    try:
        open(path).close()
        out[path] = "read"
    except PermissionError:
        out[path] = "refused"
print(json.dumps(out))
"""


def test_guard_allows_a_prefix_inside_a_forbidden_root_never_one_around_it(
    tmp_path: Path,
) -> None:
    # A venv inside the checkout may be read; a prefix that holds the judge's packages (a
    # wheel installed in the venv) opens nothing of them.
    layout = {
        "repo/judge/verdicts.py": "refused",
        "repo/.venv/lib/torch.py": "read",
        "venv/site/judge/_data/problems/p/hidden_tests.py": "refused",
        "venv/site/reference/maml.py": "refused",
        "venv/site/torch/__init__.py": "read",
        "elsewhere.py": "read",
    }
    for name in layout:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    forbidden = [str(tmp_path / p) for p in ("repo", "venv/site/judge", "venv/site/reference")]
    allowed = [str(tmp_path / "repo/.venv"), str(tmp_path / "venv")]
    paths = [str(tmp_path / name) for name in layout]
    args = json.dumps([forbidden, allowed, paths])
    ran = subprocess.run(
        [sys.executable, "-I", "-c", GUARDED_OPENS, args], capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    assert {p: seen[str(tmp_path / p)] for p in layout} == layout


def test_in_process_calls_run_with_one_torch_thread_as_the_child_does(tmp_path: Path) -> None:
    """The reference's values must be computed as the child computes the candidate's (one
    thread: the same order of float additions), and the judge's own setting comes back."""
    import torch  # the test needs it; the module above keeps torch out of collection

    source = tmp_path / "threads.py"
    source.write_text("import torch\n\ndef threads():\n    return torch.get_num_threads()\n")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with InProcess(source, ["threads"]) as runner:
            assert runner.call("threads", (), {}).value == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
