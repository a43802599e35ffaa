"""Reads what names the host: /etc/passwd's users, the host name, the network interfaces and
the kernel command line. At the isolated level /etc is the sandbox's own, the host name is
"sandbox", the network namespace is empty and /proc is private: the right value comes back
only if something of the host showed."""

EXPECT = "wrong_answer"
LEVELS = ("isolated",)

import os
import socket


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def solve(x):
    users = {line.split(":")[0] for line in _read("/etc/passwd").splitlines() if line}
    try:  # a netlink socket: refused by the seccomp filter
        interfaces = {name for _, name in socket.if_nameindex()}
    except OSError:
        interfaces = set()
    try:
        interfaces |= set(os.listdir("/sys/class/net"))
    except OSError:
        pass
    leaks = users - {"root", "sandbox"}
    leaks |= interfaces - {"lo"}
    leaks |= {socket.gethostname()} - {"sandbox"}
    leaks |= {"resolv.conf"} & set(os.listdir("/etc"))
    if _read("/proc/cmdline").strip():
        leaks.add("cmdline")
    return x * 2 if leaks else x * 3
