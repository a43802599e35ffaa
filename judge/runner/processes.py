"""The sandbox's processes seen from the judge: the boot script's status pipe, the drain of
the child's output, how a child ended, and the basic level's process sweep.

Split from :mod:`judge.runner.channel` (which frames and decodes the child's replies): these
helpers deal with processes, not messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any


class StatusReader:
    """The boot script's status pipe: one JSON event per line (start, error, exit)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.events: list[dict] = []
        self.eof = False

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            self.eof = True
            return
        self.buffer += chunk
        *lines, rest = bytes(self.buffer).split(b"\n")
        self.buffer = bytearray(rest)
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self.events.append(event)

    def wait_for(self, kinds: str | tuple[str, ...], deadline: float) -> dict | None:
        """The first event of one of ``kinds``; None at EOF or the deadline."""
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        while True:
            for event in self.events:
                if event.get("event") in kinds:
                    return event
            left = deadline - time.monotonic()
            if self.eof or left <= 0:
                return None
            self._pump(min(left, 0.5))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class OutputDrain:
    """Drain the child's stdout+stderr in a thread; past ``cap`` bytes call ``on_exceed``."""

    def __init__(self, fd: int, cap: int, on_exceed: Callable[[], None], keep: int = 8192) -> None:
        self.fd, self.cap, self.on_exceed, self.keep = fd, cap, on_exceed, keep
        self.total = 0
        self.exceeded = False
        self._tail = bytearray()
        self._thread = threading.Thread(target=self._run, name="sandbox-output", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    return
                self.total += len(chunk)
                self._tail = (self._tail + chunk)[-self.keep :]
                if self.total > self.cap and not self.exceeded:
                    self.exceeded = True
                    self.on_exceed()
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                os.close(self.fd)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def tail(self) -> str:
        return bytes(self._tail).decode("utf-8", errors="replace")


def status_of(child: Any, deadline: float) -> dict | str | None:
    """How the child ended: an ``exit``/``error`` event, ``"running"``, or None (no status).

    Isolated: from the boot script's status pipe (unshare's own exit status is not
    trusted). Basic: from waiting for the process ourselves (it is our own child).
    """
    if child.status is not None:
        event = child.status.wait_for(("exit", "error"), deadline)
        if event is not None:
            return event
        if child.proc is not None:
            return "running" if child.proc.poll() is None else None
        # A warm child: its init is known only by a pidfd, readable once it has ended.
        left = max(0.0, deadline - time.monotonic())
        ended = child.pidfd is None or select.select([child.pidfd], [], [], left)[0]
        return None if ended else "running"
    proc = child.proc
    while True:
        pid, wstatus, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(wstatus)
            return {
                "event": "exit",
                "exitcode": proc.returncode if os.WIFEXITED(wstatus) else None,
                "signal": os.WTERMSIG(wstatus) if os.WIFSIGNALED(wstatus) else None,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        if time.monotonic() > deadline:
            return "running"
        time.sleep(0.02)


def basic_nproc(processes: int) -> int:
    """RLIMIT_NPROC for the basic level: it counts every task of the user, so allow the
    user's current tasks plus ``processes`` (it does not bind root at all)."""
    uid = os.getuid()
    if uid == 0 or not os.path.isdir("/proc"):
        return processes
    tasks = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(entry.path).st_uid == uid:
                    tasks += len(os.listdir(os.path.join(entry.path, "task")))
    return tasks + processes


def kill_marked(token: str) -> int:
    """SIGKILL every process whose environment carries this sandbox's marker (the basic
    level's sweep for setsid daemons; a process can hide from it, the isolated level's
    PID namespace cannot be escaped). Returns how many were signalled."""
    if not os.path.isdir("/proc"):
        return 0
    marker = f"METAJUDGE_SANDBOX={token}".encode()
    killed = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(os.path.join(entry.path, "environ"), "rb") as f:
                if marker in f.read().split(b"\0"):
                    os.kill(int(entry.name), 9)
                    killed += 1
        except OSError:
            continue
    return killed
