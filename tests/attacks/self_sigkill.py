"""Sends itself SIGKILL."""

EXPECT = "runtime_error"

import os
import signal


def solve(x):
    os.kill(os.getpid(), signal.SIGKILL)
    return x * 2
