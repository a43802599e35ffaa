"""Run every benchmark in full, one after another, so that `make bench` refreshes every
table and plot the README quotes (under benchmarks/results/).

Each script prints its own table; this one prints a line per script and its wall time, and
exits non-zero if any script failed. `--quick` runs them all in their quick modes instead
(results then go to benchmarks/results/quick/, which is not committed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Quietest first: the timing-sensitive ones run before the long training jobs heat the machine.
SCRIPTS = [
    "throughput.py",
    "sandbox_start.py",
    "judge_overhead.py",
    "site_build.py",
    "batch.py",
    "sinusoid.py",
    "distillation.py",
    "compression.py",
    "efficiency.py",
    "fusion.py",
    "meta_variants.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every benchmark in its quick mode")
    parser.add_argument("only", nargs="*", help="run only these scripts (e.g. sinusoid.py)")
    args = parser.parse_args()
    failed = []
    for script in args.only or SCRIPTS:
        cmd = [sys.executable, str(HERE / script), *(["--quick"] if args.quick else [])]
        print(f"== {script}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(cmd)
        print(f"== {script}: exit {code}, {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
