"""The import guard: what a submission may not import or open, noticed even when caught.

Installed in the child before the submission is imported. A ``sys.meta_path`` finder refuses
the judge's own packages (``judge``, ``reference``, ``problems``) and an audit hook (which
Python code cannot remove) refuses opening or listing paths under the judge's repo and the
problem folders, except the interpreter's own prefixes (the venv may live inside the repo).
Both raise a subclass of the usual exception (``ImportError`` / ``PermissionError``) and
record the attempt, so that a submission which catches the error is still judged
``forbidden``.

At the isolated level this is a second line: those files are not even in the child's mount
namespace. At the basic level it is the only one, and an in-process guard can be defeated by
determined code (ctypes); that is why grading a batch refuses the basic level by default.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

FORBIDDEN_MODULES = ("judge", "reference", "problems")
_PATH_EVENTS = {"open", "os.listdir", "os.scandir", "os.chdir", "os.exec", "os.posix_spawn"}
_violations: list[str] = []


class ForbiddenImport(ImportError):
    """A submission imported a module of the judge."""


class ForbiddenAccess(PermissionError):
    """A submission touched a path of the judge (the repo, a problem folder)."""


def violations() -> list[str]:
    """What the submission tried since the last :func:`reset` (a copy)."""
    return list(_violations)


def reset() -> None:
    """Forget earlier attempts (each call is judged on its own)."""
    del _violations[:]


class _Finder:
    """First entry of ``sys.meta_path``: refuse the judge's packages by name."""

    def __init__(self, blocked: Iterable[str]) -> None:
        self.blocked = tuple(blocked)

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in self.blocked:
            message = f"importing {fullname!r} is not allowed in a submission"
            _violations.append(message)
            raise ForbiddenImport(message, name=fullname)
        return None


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def install(
    forbidden_roots: Iterable[str],
    allowed_roots: Iterable[str] = (),
    blocked_modules: Iterable[str] = FORBIDDEN_MODULES,
) -> None:
    """Put the finder first on ``sys.meta_path`` and add the (permanent) audit hook."""
    blocked = tuple(blocked_modules)
    for name in list(sys.modules):  # nothing of the judge may be reachable through the cache
        if name.partition(".")[0] in blocked:
            del sys.modules[name]
    sys.meta_path.insert(0, _Finder(blocked))
    forbidden = tuple(os.path.realpath(r) for r in forbidden_roots)
    allowed = tuple(os.path.realpath(r) for r in allowed_roots)
    violations_ = _violations  # bound here: rebinding the module global changes nothing

    def hook(event: str, args: tuple) -> None:
        if event not in _PATH_EVENTS or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):  # a file descriptor: opened earlier, checked then
            return
        real = os.path.realpath(path)
        if any(_under(real, r) for r in forbidden) and not any(_under(real, a) for a in allowed):
            message = f"access to {path!r} is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)

    sys.addaudithook(hook)
