"""Dereferences NULL through ctypes: the child dies of SIGSEGV."""

EXPECT = "runtime_error"

import ctypes


def solve(x):
    ctypes.string_at(0)
    return x * 2
