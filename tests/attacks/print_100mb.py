"""Prints 100 MB to stdout: killed past the output cap."""

EXPECT = "output_limit"

import sys


def solve(x):
    line = "spam " * 200 + "\n"
    for _ in range(100_000):
        sys.stdout.write(line)
    return x * 2
