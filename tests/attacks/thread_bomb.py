"""Starts threads until it cannot: RLIMIT_NPROC stops it."""

EXPECT = "runtime_error"
LEVELS = ("isolated",)

import threading
import time


def solve(x):
    threads = []
    while True:
        t = threading.Thread(target=time.sleep, args=(3600,), daemon=True)
        t.start()
        threads.append(t)
