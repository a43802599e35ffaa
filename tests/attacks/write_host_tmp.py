"""Writes to /tmp: at the isolated level the namespace's own tmpfs, not the host's.

Returns a wrong value either way; the suite checks the host /tmp has no such file."""

EXPECT = "wrong_answer"
LEVELS = ("isolated",)


def solve(x):
    with open("/tmp/metajudge-attack-tmp", "w") as f:
        f.write("owned")
    return x * 3
