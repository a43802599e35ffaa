"""Crashes the child with SIGSEGV without ctypes (``faulthandler._sigsegv``): a verdict on the
submission, never a judge error."""

EXPECT = "runtime_error"

import faulthandler


def solve(x):
    faulthandler._sigsegv()
    return x * 2
