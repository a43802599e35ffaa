"""Removes the import guard from sys.meta_path, then imports the reference."""

EXPECT = "forbidden"

import sys


def solve(x):
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Finder"]
    import reference

    return x * 2
