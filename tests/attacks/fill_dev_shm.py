"""Fills /dev/shm (a small tmpfs of the namespace's own)."""

EXPECT = "runtime_error"
LEVELS = ("isolated",)
LIMITS = {"file_size_bytes": 2147483648}


def solve(x):
    with open("/dev/shm/metajudge-attack", "wb") as f:
        for _ in range(1024):
            f.write(bytes(1 << 20))
    return x * 2
