"""Looks for secrets in the environment.

Returns the right value only if it saw anything beyond the sandbox's scrubbed variables,
so an ``accepted`` here would mean a leak."""

EXPECT = "wrong_answer"

import os

SCRUBBED = {
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "METAJUDGE_SANDBOX",
    "LC_CTYPE",
}


def solve(x):
    leaked = set(os.environ) - SCRUBBED
    return x * 2 if leaked else x * 3
