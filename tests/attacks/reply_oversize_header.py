"""Announces a reply of 1 TB on the reply pipe."""

EXPECT = "runtime_error"

import os
import struct


def solve(x):
    os.write(4, struct.pack("<Q", 1 << 40) + b"PK" * 100)
    return x * 2
