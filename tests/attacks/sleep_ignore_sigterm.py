"""Ignores SIGTERM and sleeps: killed with SIGKILL at the wall-clock limit."""

EXPECT = "time_limit"
LIMITS = {"time_s": 1.0}

import signal
import time


def solve(x):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    time.sleep(3600)
    return x * 2
