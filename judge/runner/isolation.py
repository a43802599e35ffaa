"""Where the isolated level works, how ``unshare`` is called, and the box folders a killed
judge left behind: the host-side facts the sandbox and the warm template share."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import tempfile

from judge.runner.limits import Limits

UNSHARE = ("--mount", "--net", "--ipc", "--uts", "--pid", "--fork", "--kill-child")
USERNS = ("--user", "--map-root-user")
BOX_PREFIX = "metajudge-box-"
"""Box folders are named ``metajudge-box-<judge pid>-<random>``: a later judge removes those
of a judge that is gone (killed before it could)."""

_isolation: tuple[bool, str] | None = None


def unshare_command() -> list[str]:
    """``unshare`` with the namespaces, plus a user namespace unless the judge is root."""
    return [shutil.which("unshare") or "unshare", *(USERNS if os.geteuid() != 0 else ()), *UNSHARE]


def isolation_available() -> tuple[bool, str]:
    """Whether the ``isolated`` level works here, and why not (checked once per process).

    As root: mount/net/ipc/uts/pid namespaces. As anyone else: the same inside a new user
    namespace, where the kernel allows unprivileged ones (most desktops and CI runners)."""
    global _isolation
    if _isolation is None:
        if not sys.platform.startswith("linux"):
            _isolation = (False, "not Linux")
        elif shutil.which("unshare") is None:
            _isolation = (False, "util-linux unshare is not installed")
        elif not hasattr(os, "pidfd_open"):
            _isolation = (False, "no pidfd_open")
        else:
            try:
                trial = subprocess.run(
                    [*unshare_command(), "--mount-proc", "true"], capture_output=True, timeout=30
                )
                ok = trial.returncode == 0
                why = trial.stderr.decode(errors="replace").strip()[:200]
            except (OSError, subprocess.TimeoutExpired) as exc:
                ok, why = False, str(exc)
            who = "as root" if os.geteuid() == 0 else "in an unprivileged user namespace"
            _isolation = (ok, "" if ok else f"unshare {who} failed: {why}")
    return _isolation


def reap_stale_boxes(folder: str | None = None) -> int:
    """Delete the box folders of judges that are gone (a SIGKILLed judge cannot clean up);
    returns how many. Only this user's, only of processes that no longer exist."""
    removed = 0
    folder = folder or tempfile.gettempdir()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            pid = entry.name[len(BOX_PREFIX) :].partition("-")[0]
            if not (entry.name.startswith(BOX_PREFIX) and pid.isdigit()):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                    continue
                try:
                    os.kill(int(pid), 0)
                    continue  # its judge is alive
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
    return removed


def rlimit_table(limits: Limits, nproc: int) -> dict[str, tuple[int, int]]:
    cpu = max(1, math.ceil(limits.cpu_s))
    memory = limits.memory_mb << 20
    return {
        "RLIMIT_CPU": (cpu, cpu + 1),
        "RLIMIT_AS": (memory, memory),
        "RLIMIT_NPROC": (nproc, nproc),
        "RLIMIT_FSIZE": (limits.file_size_bytes, limits.file_size_bytes),
        "RLIMIT_NOFILE": (limits.open_files, limits.open_files),
        "RLIMIT_CORE": (0, 0),
    }
