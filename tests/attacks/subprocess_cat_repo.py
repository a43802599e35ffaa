"""Reads the judge's files through a subprocess (cat), past Python's open().

At the isolated level the child's root holds no repo to reach (the venv is mounted at /venv,
so ``sys.prefix``'s parent is ``/``): there the listing tests of tests/judge/test_rootfs.py
stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)

import os
import subprocess
import sys


def solve(x):
    path = os.path.join(os.path.dirname(sys.prefix), "judge", "verdicts.py")
    out = subprocess.run(["cat", path], capture_output=True, check=True).stdout
    return x * 2 + len(out)
