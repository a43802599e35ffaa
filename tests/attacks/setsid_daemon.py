"""A double-forked setsid daemon that outlives the call.

The call returns a wrong value (no attack may be accepted); what is checked is that the
daemon is gone once the sandbox is closed."""

EXPECT = "wrong_answer"
LEVELS = ("isolated",)

import os
import time


def solve(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                try:
                    with open("/tmp/metajudge-attack-daemon", "a") as f:
                        f.write("alive\n")
                except OSError:
                    pass
                time.sleep(0.1)
        os._exit(0)
    os.wait()
    return x * 3
