"""Imports the reference solutions."""

EXPECT = "forbidden"


def solve(x):
    import reference

    return x * 2
