"""Tries to ptrace PID 1 (the namespace's boot script, root): refused.

The guard refuses ctypes first (``forbidden``); tests/judge/test_seccomp.py makes the same
calls without the guard, against the seccomp filter alone.
"""

EXPECT = "forbidden"
LEVELS = ("isolated",)

import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def solve(x):
    if libc.ptrace(16, 1, None, None) == 0:  # PTRACE_ATTACH
        return x * 2
    raise OSError(ctypes.get_errno(), "ptrace refused")
