"""Lists the repo's problems (catching the error): still forbidden.

At the isolated level the child's root holds no repo to reach (the venv is mounted at /venv,
so ``sys.prefix``'s parent is ``/``): there the listing tests of tests/judge/test_rootfs.py
stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)

import os
import sys


def solve(x):
    try:
        os.listdir(os.path.join(os.path.dirname(sys.prefix), "problems"))
    except OSError:
        pass
    return x * 2
