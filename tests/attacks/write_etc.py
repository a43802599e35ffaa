"""Writes to /etc (the child is an unprivileged uid)."""

EXPECT = "runtime_error"
LEVELS = ("isolated",)


def solve(x):
    with open("/etc/metajudge-attack", "w") as f:
        f.write("owned")
    return x * 2
