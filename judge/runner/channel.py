"""The judge's end of the pipes to the child: framing, capped reads, decoding as data only.

Messages are an 8-byte little-endian length and ``torch.save`` bytes. What comes from the
child is untrusted: a reply is read with a deadline and a size cap, must be a zip archive
whose entries are all stored (no compression, so no zip bomb) and add up to no more than the
cap, and is decoded by :mod:`judge.runner.decode`, which bounds the decoded size, the
number of objects and the depth before it materialises anything. Any deviation raises
:class:`BadReply`, which the sandbox turns into the submission's ``runtime_error``.
"""

from __future__ import annotations

import io
import os
import pickletools
import select
import struct
import sys
import time
import zipfile
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
    found = []
    with zipfile.ZipFile(io.BytesIO(pickled)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
        ops = pickletools.genops(archive.read(name))
        strings: list[str] = []
        for opcode, arg, _ in ops:
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
                strings = [*strings[-1:], str(arg)]
            elif opcode.name == "GLOBAL":
                module = str(arg).partition(" ")[0]
                if module.partition(".")[0] not in CHILD_MODULES:
                    found.append(str(arg).replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) == 2:
                root = strings[0].partition(".")[0]
                found += [".".join(strings)] if root not in CHILD_MODULES else []
    return found
