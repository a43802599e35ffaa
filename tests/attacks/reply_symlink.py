"""Points the reply descriptor at a symlinked file instead of the judge's pipe.

The judge reads replies only from its own pipe, never from a path: the harness's reply
goes nowhere the judge looks and the child ends."""

EXPECT = "runtime_error"

import os


def solve(x):
    os.symlink("/etc/hostname", "reply")
    fd = os.open("reply", os.O_RDONLY)
    os.dup2(fd, 4)
    return x * 2
