"""Dereferences NULL through ctypes: the child dies of SIGSEGV.

The guard refuses ctypes first (``forbidden``); tests/judge/test_seccomp.py makes the same
calls without the guard, against the seccomp filter alone.
"""

EXPECT = "forbidden"

import ctypes


def solve(x):
    ctypes.string_at(0)
    return x * 2
