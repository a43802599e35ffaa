"""Floods stderr at import time: killed past the output cap."""

EXPECT = "output_limit"

import sys

for _ in range(50_000):
    print("x" * 1000, file=sys.stderr)


def solve(x):
    return x * 2
