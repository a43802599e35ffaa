"""Connects to 127.0.0.1: only a down loopback exists in the namespace."""

EXPECT = "runtime_error"
LEVELS = ("isolated",)

import socket


def solve(x):
    socket.create_connection(("127.0.0.1", 22), timeout=2).close()
    return x * 2
