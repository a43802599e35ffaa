"""sys.exit(0) inside the call."""

EXPECT = "runtime_error"

import sys


def solve(x):
    sys.exit(0)
