"""Imports the judge at module level."""

EXPECT = "forbidden"

import judge.limits


def solve(x):
    return x * 2
