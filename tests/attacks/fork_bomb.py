"""A fork bomb: contained by RLIMIT_NPROC and the PID namespace; nothing is left."""

EXPECT = "time_limit"
LEVELS = ("isolated",)
LIMITS = {"time_s": 2.0}

import os


def solve(x):
    while True:
        try:
            os.fork()
        except OSError:
            pass
