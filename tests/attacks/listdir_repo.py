"""Lists the repo's problems (catching the error): still forbidden."""

EXPECT = "forbidden"

import os
import sys


def solve(x):
    try:
        os.listdir(os.path.join(os.path.dirname(sys.prefix), "problems"))
    except OSError:
        pass
    return x * 2
