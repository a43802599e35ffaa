"""Writes a file into the judge's repo.

At the isolated level the child's root holds no repo to reach (the venv is mounted at /venv,
so ``sys.prefix``'s parent is ``/``): there the listing tests of tests/judge/test_rootfs.py
stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)


import os
import sys

REPO = os.path.dirname(sys.prefix)  # the venv lives in the repo: a realistic first guess


def solve(x):
    with open(os.path.join(REPO, "metajudge-attack-written"), "w") as f:
        f.write("owned")
    return x * 2
