"""Raises the recursion limit and recurses through C (map) until the C stack overflows."""

EXPECT = "runtime_error"

import sys


def deep(n):
    return sum(map(deep, [n + 1]))


def solve(x):
    sys.setrecursionlimit(10**8)
    return deep(0)
