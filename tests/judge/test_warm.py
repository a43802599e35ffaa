"""The warm start: children forked from one template, and nothing of one submission reaching
the next (patched torch, files, threads, processes, environment, globals)."""

from __future__ import annotations

import select
import signal
import textwrap
from pathlib import Path

import pytest
import torch

from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
from judge.verdicts import JudgeError, SubmissionFailed

ISOLATED, WHY = isolation_available()
pytestmark = pytest.mark.skipif(not ISOLATED, reason=f"isolated level unavailable: {WHY}")
LIMITS = Limits(time_s=20.0, cpu_s=60.0)

HOSTILE = """
import os, subprocess, sys, threading, time

import torch

torch.Tensor.__mul__ = lambda self, other: torch.zeros_like(self)  # every later x * 2 is 0
torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
torch.left_behind = "a global of the last submission"
os.environ["LEFT_BEHIND"] = "1"
for folder in ("/tmp", "/box", "/dev/shm"):
    with open(f"{folder}/left-behind", "w") as f:
        f.write("owned")
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
if os.fork() == 0:
    os.setsid()
    time.sleep(600)
    os._exit(0)


def solve(x):
    return x * 2
"""

PROBE = """
import os, threading

import torch


def look(x):
    seen = {}
    seen["mul"] = torch.equal(x * 2, x + x)
    seen["dtype"] = str(torch.get_default_dtype())
    seen["global"] = hasattr(torch, "left_behind")
    seen["env"] = "LEFT_BEHIND" in os.environ
    seen["files"] = sorted(
        f"{d}/{n}" for d in ("/tmp", "/box", "/dev/shm") for n in os.listdir(d)
    )
    seen["threads"] = threading.active_count()
    seen["tasks"] = len(os.listdir("/proc/self/task"))
    seen["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    seen["seed_draw"] = torch.rand(1).item()
    return seen
"""


def write(tmp: Path, name: str, source: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(source))
    return path


def test_two_hostile_submissions_then_a_clean_one(tmp_path: Path) -> None:
    hostile = write(tmp_path, "hostile.py", HOSTILE)
    probe = write(tmp_path, "probe.py", PROBE)
    baseline = Sandbox(probe, ["look"], LIMITS, level="isolated")
    with baseline:
        assert baseline.warm, baseline.cold_reason
        before = baseline.call("look", (torch.arange(3.0),), {}).value
    for _ in range(2):
        box = Sandbox(hostile, ["solve"], LIMITS, level="isolated")
        try:  # it patches torch at import: the harness's seal says so
            with pytest.raises(SubmissionFailed, match=r"torch\.Tensor\.__mul__") as failed:
                box.start()
                box.call("solve", (torch.arange(3.0),), {})
            assert failed.value.verdict == "forbidden" and box.warm
        finally:
            box.close()
    with Sandbox(probe, ["look"], LIMITS, level="isolated") as box:
        after = box.call("look", (torch.arange(3.0),), {}).value
    assert after["mul"] and after["dtype"] == "torch.float32"
    assert not after["global"] and not after["env"]
    assert after["files"] == ["/box/probe.py"]
    assert after["threads"] == 1 and after["tasks"] == 1
    assert after["processes"] == before["processes"] == [2], "only itself (PID 1 is hidden)"
    assert after["seed_draw"] == before["seed_draw"], "the same fresh state as before"


def test_each_child_is_fresh_and_distinct(tmp_path: Path) -> None:
    probe = write(tmp_path, "probe.py", PROBE)
    boxes = [Sandbox(probe, ["look"], LIMITS, level="isolated") for _ in range(2)]
    try:
        for box in boxes:
            box.start()
        assert boxes[0].marker != boxes[1].marker
        if boxes[0].uid is not None:
            assert boxes[0].uid != boxes[1].uid
        for box in boxes:
            assert box.call("look", (torch.ones(1),), {}).value["files"] == ["/box/probe.py"]
    finally:
        for box in boxes:
            box.close()


def test_a_child_whose_init_vanished_is_a_judge_error(tmp_path: Path) -> None:
    path = write(tmp_path, "fine.py", "def solve(x):\n    return x\n")
    with Sandbox(path, ["solve"], LIMITS, level="isolated") as box:
        assert box.warm
        signal.pidfd_send_signal(box._child.pidfd, signal.SIGKILL)
        select.select([box._child.pidfd], [], [], 30)  # the init is gone (so is the child)
        with pytest.raises(JudgeError):
            box.call("solve", (1,), {})


def test_cold_start_still_available(tmp_path: Path) -> None:
    path = write(tmp_path, "fine.py", "def solve(x):\n    return x * 2\n")
    with Sandbox(path, ["solve"], LIMITS, level="isolated", warm=False) as box:
        assert not box.warm
        assert torch.equal(box.call("solve", (torch.ones(1),), {}).value, torch.full((1,), 2.0))


LISTENER = """
import socket

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind("\\0metajudge-warm-test")
server.listen()


def solve(x):
    return x
"""

CALLER = """
import socket


def reach(x):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect("\\0metajudge-warm-test")
        return True
    except OSError:
        return False
"""


def test_children_alive_at_once_cannot_talk(tmp_path: Path) -> None:
    listener = write(tmp_path, "listener.py", LISTENER)
    caller = write(tmp_path, "caller.py", CALLER)
    with (
        Sandbox(listener, ["solve"], LIMITS, level="isolated") as first,
        Sandbox(caller, ["reach"], LIMITS, level="isolated") as second,
    ):
        assert first.call("solve", (1,), {}).value == 1  # its socket is listening
        assert second.call("reach", (0,), {}).value is False
