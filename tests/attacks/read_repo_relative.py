"""Reads the judge's source through a relative path from the box."""

EXPECT = "forbidden"

import os


def solve(x):
    depth = os.getcwd().count("/")
    path = "../" * depth + "work/main/judge/limits.py"
    return x * 2 + len(open(path).read())
