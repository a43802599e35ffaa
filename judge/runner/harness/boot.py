"""PID 1 of the isolated sandbox: build the mount namespace, drop privileges, fork the child.

Run by the judge as ``unshare --mount --net --ipc --uts --pid --fork --kill-child
python -I boot.py CONFIG_JSON``, as root. This file is trusted: the submission does not exist
yet when it runs, and it imports nothing but the standard library (everything up front, so
that nothing is loaded once the child runs). Its status pipe to the judge carries one JSON
line per event (``start`` with this process's pid in the judge's namespace, ``error`` if the
sandbox cannot be built, ``exit`` with how the child ended); the child never holds that pipe.
When the child ends this process reports and exits, and the kernel kills whatever else is
left in the PID namespace (setsid daemons, fork bombs).

The config (built by ``judge.runner.sandbox``): box (host directory holding submission.py and
harness/), box_mb, hide (paths covered with an empty tmpfs: the repo, /root, problem
folders), keep (paths under a hidden one bound back read-only: the venv, the interpreter),
scratch (world-writable directories given a fresh small tmpfs), uid, fds (req, reply, out,
status), rlimits, python, argv, env, seccomp.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import socket
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
CHILD_REQ, CHILD_REPLY = 3, 4

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data or None)):
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _tmpfs(path: str, size: str, mode: str) -> None:
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")


def _bind_readonly(fd: int, target: str) -> None:
    os.makedirs(target, exist_ok=True)
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def build_namespace(cfg: dict) -> None:
    """Private mounts; hide the repo and secrets; fresh scratch space; the box; a new /proc."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    box_fd = os.open(cfg["box"], os.O_PATH | os.O_DIRECTORY)
    scratch = [p for p in cfg["scratch"] if os.path.isdir(p) and not os.path.islink(p)]
    # What must stay visible (the interpreter and its site-packages) may lie under a hidden
    # path (a .venv inside the repo) or under a scratch one (a checkout under /tmp, as a CI
    # runner may make): it is bound back read-only after both are covered.
    covered = [*cfg["hide"], *scratch]
    keep = [p for p in cfg["keep"] if any(_under(p, c) for c in covered)]
    keep_fds = {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p in keep}
    for path in cfg["hide"]:
        if os.path.isdir(path):  # one under an already hidden path is gone: nothing to do
            _tmpfs(path, "1m", "755")
    for path in scratch:
        _tmpfs(path, "64m", "1777")
    for path in sorted(keep):  # parents before children
        _bind_readonly(keep_fds[path], path)
    # The box: a small tmpfs of its own (writes cannot fill the host's disk and vanish with
    # the namespace), holding a root-owned copy of the submission and the harness.
    box = cfg["box"]
    os.makedirs(box, exist_ok=True)
    _tmpfs(box, f"{cfg['box_mb']}m", "1777")
    src = f"/proc/self/fd/{box_fd}"
    for name in os.listdir(src):
        if os.path.isdir(os.path.join(src, name)):
            shutil.copytree(os.path.join(src, name), os.path.join(box, name))
        else:
            shutil.copyfile(os.path.join(src, name), os.path.join(box, name))
    for fd in (box_fd, *keep_fds.values()):
        os.close(fd)
    # hidepid=2: the child sees only its own processes, not PID 1's command line.
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    socket.sethostname("sandbox")


def _child(cfg: dict) -> None:
    """In the forked child: fds, rlimits, uid 65534-like, no new privileges, then exec."""
    fds = cfg["fds"]
    high = [os.dup2(fds[name], 100 + i) for i, name in enumerate(("req", "reply", "out"))]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(high[2], 1)
    os.dup2(high[2], 2)
    os.dup2(high[0], CHILD_REQ)
    os.dup2(high[1], CHILD_REPLY)
    os.closerange(CHILD_REPLY + 1, 1 << 16)  # the status pipe and everything else
    os.setsid()
    os.chdir(cfg["box"])
    for name, (soft, hard) in cfg["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    uid = cfg["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    os.execve(cfg["python"], cfg["argv"], cfg["env"])


def _report(status_fd: int, **event: object) -> None:
    os.write(status_fd, (json.dumps(event) + "\n").encode())


def main() -> None:
    cfg = json.loads(sys.argv[1])
    status = cfg["fds"]["status"]
    # /proc is still the judge's here, so this is our pid as the judge sees it.
    _report(status, event="start", host_pid=int(os.readlink("/proc/self")))
    try:
        build_namespace(cfg)
    except Exception as exc:
        _report(status, event="error", message=f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    pid = os.fork()
    if pid == 0:
        try:
            _child(cfg)
        finally:
            os._exit(127)
    for fd in ("req", "reply", "out"):
        os.close(cfg["fds"][fd])
    while True:  # PID 1 reaps every orphan; the child's own end is the one reported
        try:
            got, wstatus, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if got == pid:
            _report(
                status,
                event="exit",
                exitcode=os.waitstatus_to_exitcode(wstatus) if os.WIFEXITED(wstatus) else None,
                signal=os.WTERMSIG(wstatus) if os.WIFSIGNALED(wstatus) else None,
                cpu_s=usage.ru_utime + usage.ru_stime,
                maxrss_kb=usage.ru_maxrss,
            )
            break
    os._exit(0)


if __name__ == "__main__":
    main()
