"""Opens an AF_INET socket through libc, past the Python-level guard.

The seccomp filter refuses it; at the isolated level only a down loopback exists anyway.

The guard refuses ctypes first (``forbidden``); tests/judge/test_seccomp.py makes the same
calls without the guard, against the seccomp filter alone.
"""

EXPECT = "forbidden"

import ctypes
import struct

libc = ctypes.CDLL(None, use_errno=True)


def solve(x):
    fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
    if fd < 0:
        raise OSError(ctypes.get_errno(), "socket refused")
    address = struct.pack("<H", 2) + struct.pack(">H", 22) + bytes([127, 0, 0, 1]) + bytes(8)
    if libc.connect(fd, address, len(address)) != 0:
        raise OSError(ctypes.get_errno(), "connect failed")
    return x * 2
