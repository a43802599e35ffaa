"""Tries to kill PID 1 (the namespace's boot script)."""

EXPECT = "runtime_error"
LEVELS = ("isolated",)

import os
import signal


def solve(x):
    os.kill(1, signal.SIGKILL)
    return x * 2
