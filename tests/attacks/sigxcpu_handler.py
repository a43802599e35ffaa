"""Catches SIGXCPU and keeps burning CPU: the hard limit (soft + 1 s) kills it."""

EXPECT = "time_limit"
LIMITS = {"cpu_s": 6, "time_s": 60.0}

import signal


def solve(x):
    signal.signal(signal.SIGXCPU, lambda *_: None)
    while True:
        pass
