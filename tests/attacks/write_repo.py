"""Writes a file into the judge's repo."""

EXPECT = "forbidden"


import os
import sys

REPO = os.path.dirname(sys.prefix)  # the venv lives in the repo: a realistic first guess


def solve(x):
    with open(os.path.join(REPO, "metajudge-attack-written"), "w") as f:
        f.write("owned")
    return x * 2
