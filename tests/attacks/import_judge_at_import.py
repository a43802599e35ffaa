"""Imports the judge at module level."""

EXPECT = "forbidden"

import judge.runner.limits


def solve(x):
    return x * 2
