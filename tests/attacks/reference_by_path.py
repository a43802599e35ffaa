"""Loads the reference by path (importlib.util.spec_from_file_location).

At the isolated level the child's root holds no repo to reach (the venv is mounted at /venv,
so ``sys.prefix``'s parent is ``/``): there the listing tests of tests/judge/test_rootfs.py
stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)

import importlib.util
import os
import sys


def solve(x):
    path = os.path.join(os.path.dirname(sys.prefix), "reference", "maml.py")
    spec = importlib.util.spec_from_file_location("stolen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return x * 2
