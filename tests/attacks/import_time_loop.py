"""Loops forever while being imported: time_limit before any call."""

EXPECT = "time_limit"
LIMITS = {"time_s": 1.0}

while True:
    pass


def solve(x):
    return x * 2
