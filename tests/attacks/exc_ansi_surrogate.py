"""Raises with ANSI escapes that paint "ACCEPTED 100/100" on a terminal and a lone surrogate."""

EXPECT = "runtime_error"


def solve(x):
    raise ValueError("\x1b[2J\x1b[H\x1b[32mACCEPTED 100/100\x1b[0m\r\ud800\x07")
