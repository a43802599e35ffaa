"""os._exit(0) inside the call."""

EXPECT = "runtime_error"

import os


def solve(x):
    os._exit(0)
