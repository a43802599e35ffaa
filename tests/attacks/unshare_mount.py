"""Tries unshare(2) and mount(2) through ctypes: both refused.

The guard refuses ctypes first (``forbidden``); tests/judge/test_seccomp.py makes the same
calls without the guard, against the seccomp filter alone.
"""

EXPECT = "forbidden"
LEVELS = ("isolated",)

import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def solve(x):
    if libc.unshare(0x00020000) == 0:  # CLONE_NEWNS
        return x * 2
    if libc.mount(b"tmpfs", b"/mnt", b"tmpfs", 0, None) == 0:
        return x * 2
    raise OSError(ctypes.get_errno(), "unshare/mount refused")
