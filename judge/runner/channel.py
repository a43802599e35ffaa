"""The judge's end of the pipes to the child: framing, capped reads, decoding as data only.

Messages are an 8-byte little-endian length and ``torch.save`` bytes. What comes from the
child is untrusted: a reply is read with a deadline and a size cap, must be a zip archive
whose entries are all stored (no compression, so no zip bomb) and add up to no more than the
cap, and is decoded by :mod:`judge.runner.decode`, which bounds the decoded size, the
number of objects and the depth before it materialises anything. Any deviation raises
:class:`BadReply`, which the sandbox turns into the submission's ``runtime_error``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from judge.runner import decode as _decode
from judge.runner.decode import BadReply

HEADER = struct.Struct("<Q")


class Timeout(Exception):
    """No complete message before the deadline."""


class Closed(Exception):
    """The child's end of the pipe closed (or the child ended) before a complete message."""


def encode(message: Any) -> bytes:
    """A framed ``torch.save`` of ``message`` (the judge's own requests)."""
    import torch  # here, not at import: see Sandbox.launch

    buffer = io.BytesIO()
    torch.save(message, buffer)
    data = buffer.getvalue()
    return HEADER.pack(len(data)) + data


def write_all(fd: int, data: bytes, deadline: float, ended: int | None = None) -> None:
    """Write ``data`` to a non-blocking pipe before ``deadline``; ``ended`` becoming readable
    (a pidfd or the status pipe) means the reader is gone."""
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout
        watch = [ended] if ended is not None else []
        readable, writable, _ = select.select(watch, [fd], [], min(left, 0.5))
        if fd not in writable:
            if readable:
                raise Closed
            continue
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue
        except (BrokenPipeError, OSError) as exc:
            raise Closed from exc


def read_message(
    fd: int, cap: int, deadline: float, ended: int | None = None, poll_s: float = 0.25
) -> bytes:
    """Read one framed message from ``fd`` (non-blocking) of at most ``cap`` bytes.

    ``ended``: an fd that becomes readable when the child has ended (its pidfd or the boot
    script's status pipe); a message already complete is still returned.
    """
    buffer = bytearray()
    need = HEADER.size
    length = None
    while True:
        while len(buffer) < need:
            try:
                chunk = os.read(fd, min(need - len(buffer), 1 << 20))
            except BlockingIOError:
                break
            if not chunk:
                raise Closed
            buffer += chunk
        if len(buffer) >= need:
            if length is None:
                length = HEADER.unpack(bytes(buffer[: HEADER.size]))[0]
                if length > cap:
                    raise BadReply(f"a reply of {length} bytes is over the limit of {cap} bytes")
                need = HEADER.size + length
                continue
            return bytes(buffer[HEADER.size :])
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout
        watch = [fd] if ended is None else [fd, ended]
        ready, _, _ = select.select(watch, [], [], min(left, poll_s))
        if ended is not None and ended in ready and fd not in ready:
            # The child ended; take what is still buffered in the pipe, then give up.
            try:
                chunk = os.read(fd, need - len(buffer))
            except BlockingIOError:
                chunk = b""
            if not chunk:
                raise Closed
            buffer += chunk


def decode(data: bytes, cap: int) -> dict:
    """A reply's bytes -> a dict of plain data, or :class:`BadReply` (see
    :mod:`judge.runner.decode`: every size is bounded before anything is materialised)."""
    return _decode.decode(data, cap)


CHILD_MODULES = frozenset({"torch", "numpy", "__builtin__", "copy_reg", *sys.stdlib_module_names})
"""Module roots the child can import to unpickle a request (not judge, reference, tests)."""


def foreign_globals(pickled: bytes) -> list[str]:
    """The globals a ``torch.save`` archive (a request) names that the child cannot import."""
    import pickletools
    import zipfile

    found = []
    with zipfile.ZipFile(io.BytesIO(pickled)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
        ops = pickletools.genops(archive.read(name))
        strings: list[str] = []
        for opcode, arg, _ in ops:
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
                strings = [*strings[-1:], arg]
            elif opcode.name == "GLOBAL":
                module = str(arg).partition(" ")[0]
                if module.partition(".")[0] not in CHILD_MODULES:
                    found.append(str(arg).replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) == 2:
                root = strings[0].partition(".")[0]
                found += [".".join(strings)] if root not in CHILD_MODULES else []
    return found


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


def status_of(child: dict, deadline: float) -> dict | str | None:
    """How the child ended: an ``exit``/``error`` event, ``"running"``, or None (no status).

    Isolated: from the boot script's status pipe (unshare's own exit status is not
    trusted). Basic: from waiting for the process ourselves (it is our own child).
    """
    if "status" in child:
        event = child["status"].wait_for(("exit", "error"), deadline)
        if event is not None:
            return event
        return "running" if child["proc"].poll() is None else None
    proc = child["proc"]
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
