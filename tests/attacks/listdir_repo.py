"""Lists the repo's problems (catching the error): still forbidden."""

EXPECT = "forbidden"

import os


def solve(x):
    try:
        os.listdir("/work/main/problems")
    except OSError:
        pass
    return x * 2
