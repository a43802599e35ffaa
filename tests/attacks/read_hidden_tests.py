"""Reads a problem's hidden tests."""

EXPECT = "forbidden"


import os
import sys

REPO = os.path.dirname(sys.prefix)  # the venv lives in the repo: a realistic first guess


def solve(x):
    text = open(os.path.join(REPO, "problems", "maml-adapt", "hidden_tests.py")).read()
    return x * 2 + len(text)
