"""Reads a problem's hidden tests.

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
    text = open(os.path.join(REPO, "problems", "maml-adapt", "hidden_tests.py")).read()
    return x * 2 + len(text)
