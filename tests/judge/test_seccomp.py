"""The seccomp filter on its own, in a fresh process: what the sandbox's ctypes attacks used
to reach past the guard (the guard now refuses ctypes first, so tests/attacks/ end at
``forbidden``), called here through ctypes without the guard."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from judge.runner.launch import HARNESS

PROBE = r"""
import ctypes, json, socket, sys
sys.path.insert(0, sys.argv[1])
from harness import guard

if not guard.install_seccomp():
    print(json.dumps(None))
    raise SystemExit
libc = ctypes.CDLL(None, use_errno=True)

def errno_of(result):
    return 0 if result >= 0 else ctypes.get_errno()

print(json.dumps({
    "inet_socket": errno_of(libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)),
    "unix_socket": errno_of(libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)),
    "unshare": errno_of(libc.unshare(0x00020000)),
    "ptrace": errno_of(libc.ptrace(16, 1, None, None)),
    "kill_pid_1": errno_of(libc.kill(1, 0)),
}))
"""


def test_the_filter_refuses_what_the_sandbox_attacks_tried() -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(HARNESS.parent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    if got is None:
        pytest.skip("no seccomp filter on this platform")
    assert got == {"inet_socket": 13, "unix_socket": 0, "unshare": 1, "ptrace": 1, "kill_pid_1": 1}
