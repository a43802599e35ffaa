"""Allocates 8 GB of Python bytes under a 2 GiB address-space limit."""

EXPECT = "memory_limit"


def solve(x):
    big = bytearray(8 << 30)
    return x * 2 + len(big)
