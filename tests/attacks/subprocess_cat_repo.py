"""Reads the judge's files through a subprocess (cat), past Python's open()."""

EXPECT = "forbidden"

import os
import subprocess
import sys


def solve(x):
    path = os.path.join(os.path.dirname(sys.prefix), "judge", "verdicts.py")
    out = subprocess.run(["cat", path], capture_output=True, check=True).stdout
    return x * 2 + len(out)
