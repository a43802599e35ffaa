"""Reads the judge's source through a relative path from the box.

At the isolated level the child's root holds no repo to reach (the venv is mounted at /venv,
so ``sys.prefix``'s parent is ``/``): there the listing tests of tests/judge/test_rootfs.py
stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)

import os
import sys


def solve(x):
    target = os.path.join(os.path.dirname(sys.prefix), "judge", "verdicts.py")
    path = os.path.relpath(target, os.getcwd())
    return x * 2 + len(open(path).read())
