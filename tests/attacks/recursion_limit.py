"""Infinite recursion: RecursionError."""

EXPECT = "runtime_error"


def solve(x):
    return solve(x) + 1
