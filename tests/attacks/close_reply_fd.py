"""Closes the reply pipe, then returns."""

EXPECT = "runtime_error"

import os


def solve(x):
    os.close(4)
    return x * 2
