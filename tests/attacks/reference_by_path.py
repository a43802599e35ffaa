"""Loads the reference by path (importlib.util.spec_from_file_location)."""

EXPECT = "forbidden"

import importlib.util
import os
import sys


def solve(x):
    path = os.path.join(os.path.dirname(sys.prefix), "reference", "maml.py")
    spec = importlib.util.spec_from_file_location("stolen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return x * 2
