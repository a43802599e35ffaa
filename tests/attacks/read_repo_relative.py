"""Reads the judge's source through a relative path from the box."""

EXPECT = "forbidden"

import os
import sys


def solve(x):
    target = os.path.join(os.path.dirname(sys.prefix), "judge", "verdicts.py")
    path = os.path.relpath(target, os.getcwd())
    return x * 2 + len(open(path).read())
