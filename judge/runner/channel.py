"""The judge's end of the pipes to the child: framing, capped reads, decoding as data only.

Messages are an 8-byte little-endian length and ``torch.save`` bytes. What comes from the
child is untrusted: a reply is read with a deadline and a size cap, must be a zip archive
whose entries are all stored (no compression, so no zip bomb) and add up to no more than the
cap, and is decoded with ``torch.load(weights_only=True)`` and then checked to be plain data
(``convert.to_data``). Any deviation raises :class:`BadReply`, which the sandbox turns into
the submission's ``runtime_error``.
"""

from __future__ import annotations

import io
import os
import select
import struct
import time
import zipfile
from typing import Any

HEADER = struct.Struct("<Q")


class BadReply(Exception):
    """The child sent something that is not a well-formed reply."""


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
    """A reply's bytes -> a dict of plain data, or :class:`BadReply`."""
    if not data.startswith(b"PK\x03\x04"):
        raise BadReply("the reply is not a torch.save archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadReply(f"the reply is not a valid archive: {exc}") from exc
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
        raise BadReply("the reply holds compressed entries")
    if sum(i.file_size for i in infos) > cap:
        raise BadReply("the reply unpacks to more than the size limit")
    import torch

    from judge.runner.harness import convert

    try:
        message = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception as exc:
        raise BadReply(f"the reply is not data: {type(exc).__name__}: {exc}"[:500]) from exc
    if type(message) is not dict or type(message.get("kind")) is not str:
        raise BadReply("the reply is not a message of the judge's harness")
    try:
        return convert.to_data(message)
    except convert.NotData as exc:
        raise BadReply(f"the reply holds {exc}") from exc
