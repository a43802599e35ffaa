"""Test-suite-wide settings."""

import os

# `judge grade` keeps a history for `judge progress` in the user's XDG data folder: a test
# run must not write there (tests of the history itself point it at a temporary folder).
os.environ["JUDGE_NO_HISTORY"] = "1"
