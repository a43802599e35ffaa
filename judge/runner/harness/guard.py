"""The import guard: what a submission may not import or open, noticed even when caught.

Installed in the child before the submission is imported. A ``sys.meta_path`` finder refuses
the judge's own packages (``judge``, ``reference``, ``problems``) and an audit hook (which
Python code cannot remove) refuses opening or listing paths under the judge's repo (or, from a
wheel, its packages) and the problem folders, except an interpreter prefix inside them (a venv
in the repo). It also refuses network sockets (anything but AF_UNIX), and the ways into the
harness's own objects that honest code never needs (``gc.get_objects``/``get_referrers``,
other threads' frames, ``sys.settrace``/``setprofile``, replacing a harness function's code or
defaults), ctypes altogether (every ``ctypes.*`` event: it writes memory and calls C past every
other check; torch does not use it once imported) and ``/proc/<pid>/mem`` (the same, without
ctypes). All raise a subclass of the usual exception (``ImportError`` / ``PermissionError``)
and record the attempt, so that a submission which catches the error is still judged
``forbidden``.

What the hook cannot see: ``f_back``, ``f_globals`` and ``f_locals`` of a frame (frames
themselves are easy to get: ``sys._getframe``, a traceback, a signal handler's argument),
setting a class's or a module's attribute, and a closure's cells. Rebinding what the harness
computes with is noticed instead by the seal (``integrity.py``), after every call.

At the isolated level this is a second line: those files are not even in the child's mount
namespace. At the basic level it is the only one, and an in-process guard can be defeated by
determined code (numpy's ``__array_interface__`` reads and writes any address without
ctypes); that is why grading a batch refuses the basic level by default.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Iterable
from typing import Any

FORBIDDEN_MODULES = ("judge", "reference", "problems")
_INTROSPECTION = {
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
    "sys.settrace", "sys.setprofile",
}  # fmt: skip
"""Ways to reach the harness's own objects and frames (to forge a probe or the arguments
after a call); honest code never needs them."""
_MEMORY = re.compile(r"/proc/(\d+|self|thread-self)(/task/\d+)?/(mem|map_files)(/|$)")
"""Another process's or its own memory, as a file (written, it is ctypes without ctypes)."""
_HARNESS_CODE = {"__code__", "__defaults__", "__kwdefaults__"}
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


def record(message: str) -> None:
    """Note a violation found outside the audit hook (the seal's)."""
    _violations.append(message)


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

    def _refused(real: str, root: str) -> bool:
        """Under a forbidden root and not under an allowed one inside it (a venv inside the
        checkout): an allowed root that holds the forbidden one (the interpreter's prefix,
        where a wheel install keeps the problems) opens nothing of it."""
        return _under(real, root) and not any(
            _under(real, a) and _under(a, root) and a != root for a in allowed
        )

    def hook(event: str, args: tuple) -> None:
        if event.startswith("ctypes."):
            message = f"ctypes ({event}: writing memory, calling C) is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)
        if event in _INTROSPECTION or (
            event == "object.__setattr__"
            and len(args) > 1
            and args[1] in _HARNESS_CODE
            and str(getattr(args[0], "__module__", "")).startswith(("harness", "__main__"))
        ):
            message = f"{event} (reaching into the judge's harness) is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)
        if event == "socket.__new__" and len(args) > 1 and args[1] != socket.AF_UNIX:
            message = "opening a network socket is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)
        if event in ("subprocess.Popen", "os.system") and args:
            # Best effort (a shell can spell a path many ways): a command naming the repo.
            words = args[1] if event == "subprocess.Popen" else [args[0]]
            words = [w if isinstance(w, str) else os.fsdecode(w) for w in words or ()
                     if isinstance(w, (str, bytes))]  # fmt: skip
            if any(root in word for word in words for root in forbidden):
                message = "a command naming the judge's files is not allowed in a submission"
                violations_.append(message)
                raise ForbiddenAccess(message)
            return
        if event not in _PATH_EVENTS or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):  # a file descriptor: opened earlier, checked then
            return
        real = os.path.realpath(path)
        if _MEMORY.match(real) or _MEMORY.match(os.path.abspath(path)):
            message = f"opening {path!r} (the process's memory) is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)
        if any(_refused(real, r) for r in forbidden):
            message = f"access to {path!r} is not allowed in a submission"
            violations_.append(message)
            raise ForbiddenAccess(message)

    sys.addaudithook(hook)


# -- the system-call filter -----------------------------------------------------------------
# A seccomp filter (x86_64 and aarch64) denying what a submission never needs and a sandbox
# escape would: namespaces, mounts, tracing, kernel modules and keys, io_uring (it can open
# sockets past this filter), every socket but AF_UNIX, and signals to PID 1 (the trusted boot
# script: in a user namespace it shares the child's uid, and init silently drops the signal,
# which would let a submission "kill" it and carry on). It works with torch; it applies to
# every thread (TSYNC) and is inherited by children. Elsewhere it is absent and the sandbox
# says so (``seccomp`` false, network "allowed" at the basic level).

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_EPERM, _ENOSYS, _EACCES = 1, 38, 13
_ARCHES: dict[str, dict[str, Any]] = {
    "x86_64": {
        "audit": 0xC000003E, "x32": True, "socket": 41, "clone": 56, "clone3": 435,
        "seccomp": 317, "pid_calls": (62, 200, 234, 434),  # kill tkill tgkill pidfd_open
        "denied": {
            101: "ptrace", 155: "pivot_root", 161: "chroot", 165: "mount", 166: "umount2",
            167: "swapon", 168: "swapoff", 169: "reboot", 175: "init_module",
            176: "delete_module", 246: "kexec_load", 248: "add_key", 249: "request_key",
            250: "keyctl", 272: "unshare", 298: "perf_event_open", 303: "name_to_handle_at",
            304: "open_by_handle_at", 308: "setns", 310: "process_vm_readv",
            311: "process_vm_writev", 313: "finit_module", 321: "bpf", 323: "userfaultfd",
            425: "io_uring_setup", 426: "io_uring_enter", 427: "io_uring_register",
        },
    },
    "aarch64": {
        "audit": 0xC00000B7, "x32": False, "socket": 198, "clone": 220, "clone3": 435,
        "seccomp": 277, "pid_calls": (129, 130, 131, 434),  # kill tkill tgkill pidfd_open
        "denied": {
            117: "ptrace", 41: "pivot_root", 51: "chroot", 40: "mount", 39: "umount2",
            224: "swapon", 225: "swapoff", 142: "reboot", 105: "init_module",
            106: "delete_module", 104: "kexec_load", 217: "add_key", 218: "request_key",
            219: "keyctl", 97: "unshare", 241: "perf_event_open", 264: "name_to_handle_at",
            265: "open_by_handle_at", 268: "setns", 270: "process_vm_readv",
            271: "process_vm_writev", 273: "finit_module", 280: "bpf", 282: "userfaultfd",
            425: "io_uring_setup", 426: "io_uring_enter", 427: "io_uring_register",
        },
    },
}  # fmt: skip
_CLONE_NEW_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME


def _filter(machine: str = "x86_64") -> list[tuple[int, int, int, int]]:
    """The BPF program for one architecture (KeyError for one it does not know)."""
    arch = _ARCHES[machine]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    prog = [
        (ld, 0, 0, 4),  # arch
        (jeq, 1, 0, arch["audit"]),
        (ret, 0, 0, _RET_ERRNO | _ENOSYS),
        (ld, 0, 0, 0),  # syscall number
    ]
    if arch["x32"]:
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, _RET_ERRNO | _ENOSYS)]
    for nr in arch["denied"]:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, _RET_ERRNO | _EPERM)]
    prog += [(jeq, 0, 1, arch["clone3"]), (ret, 0, 0, _RET_ERRNO | _ENOSYS)]  # glibc falls back
    for nr in arch["pid_calls"]:  # (pid, ...) with pid == 1: refused
        prog += [
            (jeq, 0, 4, nr),
            (ld, 0, 0, 16),  # the first argument (low word: a pid is an int)
            (jeq, 0, 1, 1),
            (ret, 0, 0, _RET_ERRNO | _EPERM),
            (ret, 0, 0, _RET_ALLOW),
        ]
    prog += [
        (jeq, 0, 4, arch["socket"]),
        (ld, 0, 0, 16),  # socket(domain, ...)
        (jeq, 0, 1, 1),  # AF_UNIX
        (ret, 0, 0, _RET_ALLOW),
        (ret, 0, 0, _RET_ERRNO | _EACCES),
        (ld, 0, 0, 0),
        (jeq, 0, 4, arch["clone"]),
        (ld, 0, 0, 16),  # clone(flags, ...)
        (jset, 0, 1, _CLONE_NEW_FLAGS),
        (ret, 0, 0, _RET_ERRNO | _EPERM),
        (ret, 0, 0, _RET_ALLOW),
        (ret, 0, 0, _RET_ALLOW),
    ]
    return prog


def install_seccomp() -> bool:
    """Install the filter in this process (and its future children); False if unsupported."""
    import ctypes
    import platform

    machine = platform.machine()
    if machine not in _ARCHES or not sys.platform.startswith("linux"):
        return False

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte),
                    ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]  # fmt: skip

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    prog = _filter(machine)
    array = (SockFilter * len(prog))(*[SockFilter(*ins) for ins in prog])
    fprog = SockFprog(len(prog), array)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)
    return libc.syscall(_ARCHES[machine]["seccomp"], 1, 1, ctypes.byref(fprog)) == 0
