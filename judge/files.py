"""Read a submission file the way an untrusted upload must be read: never through a link.

The judge runs as root. A submission that is a symbolic link (to the problem's
``solution.py``, to ``hidden_tests.py``, to ``/etc/shadow``), a hard link to a file elsewhere,
a FIFO or a device must not be followed, graded or quoted in a report. Only a regular file
with one link, owned by the owner of the folder it is in, is a submission; the check is made
on the open descriptor (``O_NOFOLLOW``, ``fstat``), so the file cannot be swapped for a link
between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["NotRegular", "read_regular", "refusal"]

MAX_BYTES = 16 << 20
"""The largest submission read (a source file; anything bigger is refused, not read)."""


class NotRegular(OSError):
    """The path is not a submission file the judge may read; the message says why."""


def _why(info: os.stat_result, folder: Path) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link, not a file"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a FIFO, socket or device)"
    if info.st_nlink > 1:
        return "is a hard link to another file"
    try:
        owner = os.stat(folder).st_uid
    except OSError:
        owner = info.st_uid
    if info.st_uid != owner:
        return "is not owned by the owner of its folder"
    if info.st_size > MAX_BYTES:
        return f"is larger than {MAX_BYTES} bytes"
    return None


def refusal(path: str | Path) -> str | None:
    """Why ``path`` may not be read as a submission (``lstat``: links are not followed), or
    None. A missing path is refused too."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    return _why(info, path.parent)


def read_regular(path: str | Path) -> bytes:
    """The bytes of ``path`` if it is a regular submission file; :class:`NotRegular` if not."""
    path = Path(path)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        why = refusal(path) or f"cannot be read ({exc.strerror})"
        raise NotRegular(f"{path}: {why}") from None
    try:
        wrong = _why(os.fstat(fd), path.parent)
        if wrong:
            raise NotRegular(f"{path}: {wrong}")
        chunks, left = [], MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > MAX_BYTES:
            raise NotRegular(f"{path}: is larger than {MAX_BYTES} bytes")
        return data
    finally:
        os.close(fd)
