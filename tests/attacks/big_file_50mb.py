"""Writes a 50 MB file past RLIMIT_FSIZE (Python ignores SIGXFSZ: OSError)."""

EXPECT = "runtime_error"


def solve(x):
    with open("big.bin", "wb") as f:
        for _ in range(50):
            f.write(bytes(1 << 20))
    return x * 2
