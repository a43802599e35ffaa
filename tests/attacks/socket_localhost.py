"""Connects to 127.0.0.1 with the socket module: refused by the guard (and the namespace)."""

EXPECT = "forbidden"

import socket


def solve(x):
    socket.create_connection(("127.0.0.1", 22), timeout=2).close()
    return x * 2
