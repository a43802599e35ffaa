"""An infinite loop inside the call: killed at the wall-clock limit."""

EXPECT = "time_limit"
LIMITS = {"time_s": 1.0}


def solve(x):
    while True:
        pass
