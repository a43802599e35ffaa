"""os._exit(0) at import."""

EXPECT = "runtime_error"

import os

os._exit(0)


def solve(x):
    return x * 2
