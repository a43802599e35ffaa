"""Loads the reference by path (importlib.util.spec_from_file_location)."""

EXPECT = "forbidden"

import importlib.util


def solve(x):
    spec = importlib.util.spec_from_file_location("stolen", "/work/main/reference/maml.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return x * 2
