"""PID 1 of the isolated sandbox: build the allowlist root, drop privileges, fork the child.

Run by the judge as ``unshare [--user --map-root-user] --mount --net --ipc --uts --pid
--fork --kill-child python -I boot.py CONFIG_JSON``: as real root, or as root of a fresh user
namespace (an unprivileged judge). This file is trusted: the submission does not exist yet
when it runs, and it imports nothing but the standard library. Its status pipe to the judge
carries one JSON line per event (``start`` with this process's pid in the judge's namespace,
``error`` if the sandbox cannot be built, ``exit`` with how the child ended); the child never
holds that pipe. When the child ends this process reports and exits, and the kernel kills
whatever else is left in the PID namespace (setsid daemons, fork bombs).

The root is a fresh tmpfs holding only the config's ``root`` plan (read-only binds computed
by ``judge.runner.rootfs``), ``/box`` (a tmpfs with a copy of the submission and the
harness), a private ``/proc`` (hidepid=2), ``/dev`` with null, zero, urandom and a small
``/dev/shm``, an empty ``/tmp`` and a minimal ``/etc``; the host's root is unmounted
(``pivot_root``). Then the tmpfs root itself is made read-only.

The config (built by ``judge.runner.launch``): box (host folder holding the submission and
harness/), box_mb, root, userns, uid, fds (req, reply, out, status), rlimits, argv, env. With
``template`` (the warm start, :mod:`judge.runner.warm`) the forked process is instead
``harness/template.py``, keeping this namespace's privileges, with fds control and out.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import platform
import resource
import shutil
import socket
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 4, 24, 28
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
SECUREBITS = 0xEF  # NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE (all locked), KEEP_CAPS_LOCKED
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
CHILD_REQ, CHILD_REPLY = 3, 4
NEW_ROOT = "/tmp"  # any existing folder: the new root is mounted over it, then pivoted to
SCRATCH_MB = 64
PROC_MASKED = ("cmdline", "kallsyms", "config.gz", "timer_list", "keys", "kmsg", "kcore")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    flags_ = ctypes.c_ulong(flags)
    _check(_libc.mount(enc(src), enc(target), enc(fstype), flags_, enc(data or None)), target)


def _tmpfs(path: str, size: str, mode: str) -> None:
    os.makedirs(path, exist_ok=True)
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")


def _readonly(target: str, extra: int = MS_NOSUID | MS_NODEV) -> None:
    """Remount a mount read-only, keeping the flags a user namespace may not clear."""
    flag = os.statvfs(target).f_flag
    keep = 0
    # statvfs's ST_* -> mount's MS_*: nosuid, nodev, noexec, noatime, nodiratime, relatime
    pairs = ((MS_NOSUID, MS_NOSUID), (MS_NODEV, MS_NODEV), (MS_NOEXEC, MS_NOEXEC),
             (1024, 1024), (2048, 2048), (4096, 1 << 21))  # fmt: skip
    for st, ms in pairs:
        if flag & st:
            keep |= ms
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra | keep)


def _bind(fd: int, target: str, readonly: bool = True, extra: int = MS_NOSUID | MS_NODEV) -> None:
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    if readonly:
        _readonly(target, extra)


def _placeholder(target: str, directory: bool) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if directory:
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))


def _depth(path: str) -> tuple[int, str]:
    return (path.rstrip("/").count("/"), path)


def build_root(cfg: dict) -> None:
    """The allowlist root (see the module docstring), then pivot into it."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    plan = cfg["root"]
    # Everything is opened before the new root covers NEW_ROOT (a venv or the box may be there).
    sources = {target: os.open(source, os.O_PATH) for target, source in plan["binds"]}
    devices = {name: os.open(f"/dev/{name}", os.O_PATH) for name in ("null", "zero", "urandom")}
    box_fd = os.open(cfg["box"], os.O_PATH | os.O_DIRECTORY)
    r = NEW_ROOT
    _tmpfs(r, "16m", "755")
    steps = [(t, "bind") for t in sources] + [(m, "mask") for m in plan["masks"]]
    steps += [(p, "link") for p in plan["symlinks"]] + [(p, "file") for p in plan["files"]]
    for path, kind in sorted(steps, key=lambda step: _depth(step[0])):
        target = r + path
        if kind == "bind":
            _placeholder(target, os.path.isdir(f"/proc/self/fd/{sources[path]}"))
            _bind(sources[path], target)
        elif kind == "mask":
            _tmpfs(target, "1m", "755")
        elif kind == "link":
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(plan["symlinks"][path], target)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                f.write(plan["files"][path])
    for mask in plan["masks"]:
        _readonly(r + mask)
    # /dev: three devices bound from the host (a user namespace cannot mknod), a small shm.
    _tmpfs(f"{r}/dev", "64k", "755")
    for name, fd in devices.items():
        _placeholder(f"{r}/dev/{name}", directory=False)
        _bind(fd, f"{r}/dev/{name}", readonly=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):  # fmt: skip
        os.symlink(target, f"{r}/dev/{name}")
    _tmpfs(f"{r}/dev/shm", f"{SCRATCH_MB}m", "1777")
    _readonly(f"{r}/dev", MS_NOSUID)
    # A new /proc must be mounted while the host's is still visible (the kernel refuses a
    # proc mount in a user namespace that would reveal more than the ones it can see).
    os.makedirs(f"{r}/proc", exist_ok=True)
    _mount("proc", f"{r}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    for name in PROC_MASKED:  # host facts the child has no use for: empty, read-only
        if os.path.exists(f"{r}/proc/{name}"):
            _bind(devices["null"], f"{r}/proc/{name}", extra=MS_NOSUID)  # a device: no nodev
    _tmpfs(f"{r}/tmp", f"{SCRATCH_MB}m", "1777")
    # The box: a small tmpfs of its own (writes cannot fill the host's disk and vanish with
    # the namespace), holding a copy of the submission and the harness owned by this process.
    _tmpfs(f"{r}/box", f"{cfg['box_mb']}m", "1777")
    src = f"/proc/self/fd/{box_fd}"
    for name in os.listdir(src):
        if os.path.isdir(os.path.join(src, name)):
            shutil.copytree(os.path.join(src, name), f"{r}/box/{name}")
        else:
            shutil.copyfile(os.path.join(src, name), f"{r}/box/{name}")
    os.makedirs(f"{r}/etc", exist_ok=True)
    etc = {
        **identity_files(cfg["uid"]),
        "hostname": "sandbox\n",
        "hosts": "127.0.0.1 localhost sandbox\n::1 localhost\n",
    }
    for name, text in etc.items():
        with open(f"{r}/etc/{name}", "w") as f:
            f.write(text)
    for fd in (box_fd, *sources.values(), *devices.values()):
        os.close(fd)
    _pivot(r)
    _readonly("/")
    socket.sethostname("sandbox")


def identity_files(uid: int) -> dict[str, str]:
    """/etc/passwd and /etc/group naming the child's uid ``sandbox`` (getpass, pwd work)."""
    return {
        "passwd": f"root:x:0:0:root:/box:/nonexistent\nsandbox:x:{uid}:{uid}::/box:/nonexistent\n",
        "group": f"root:x:0:\nsandbox:x:{uid}:\n",
    }


def _pivot(root: str) -> None:
    """Make ``root`` the root and unmount the host's (pivot_root(".", "."), as runc does)."""
    os.chdir(root)
    number = PIVOT_ROOT.get(platform.machine())
    if number is not None and _libc.syscall(number, b".", b".") == 0:
        _check(_libc.umount2(b".", MNT_DETACH), "umount2 the host's root")
    else:  # an unknown architecture: move the mount over / and chroot (no caps to escape)
        _mount(root, "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def _drop_bounding_set() -> None:
    """No capability can ever come back (a file capability, a setuid binary)."""
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1


def _drop_capabilities() -> None:
    """Root of a user namespace -> no capability, now or after execve (securebits)."""
    _check(_libc.prctl(PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0), "PR_SET_SECUREBITS")
    _drop_bounding_set()
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    empty = (Data * 2)()
    _check(_libc.capset(ctypes.byref(Header(0x20080522, 0)), empty), "capset")


def own_user_namespace(uid: int) -> None:
    """Become ``uid`` (and gid ``uid``) in a user namespace of this process's own: in an
    unprivileged judge's sandbox, the child is then neither root of a namespace nor the
    judge's uid as it sees itself, holds no capability in the namespace that owns its mounts,
    and has its own RLIMIT_NPROC count. The kernel still knows it as the judge's uid: the
    only one that a user namespace made without newuidmap can map."""
    outer_uid, outer_gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
    # already "deny" when inherited from the outer namespace, and then it may not be rewritten
    with contextlib.suppress(OSError), open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    for name, outer in (("uid_map", outer_uid), ("gid_map", outer_gid)):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(f"{uid} {outer} 1\n")


def _child(cfg: dict) -> None:
    """In the forked child: fds, rlimits, no capabilities, no new privileges, then exec."""
    fds = cfg["fds"]
    if cfg["userns"]:  # only the judge's own uid is mapped: a uid of its own on top of it
        try:
            own_user_namespace(cfg["uid"])
        except OSError as exc:  # the judge's failure, said so on the status pipe
            _report(fds["status"], event="error", message=f"{type(exc).__name__}: {exc}")
            raise
    high = [os.dup2(fds[name], 100 + i) for i, name in enumerate(("req", "reply", "out"))]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(high[2], 1)
    os.dup2(high[2], 2)
    os.dup2(high[0], CHILD_REQ)
    os.dup2(high[1], CHILD_REPLY)
    os.closerange(CHILD_REPLY + 1, 1 << 16)  # the status pipe and everything else
    os.setsid()
    os.chdir("/box")
    for name, (soft, hard) in cfg["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if cfg["userns"]:  # all capabilities it got with its namespace, and securebits
        _drop_capabilities()
    else:  # real root: a fresh unprivileged uid (its own RLIMIT_NPROC count)
        uid = cfg["uid"]
        _drop_bounding_set()
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")
    os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])


def _template(cfg: dict) -> None:
    """In the forked template (warm start): privileges kept, it runs no submission."""
    fds = cfg["fds"]
    null = os.open(os.devnull, os.O_RDONLY)
    high = [os.dup2(fds[name], 100 + i) for i, name in enumerate(("control", "out"))]
    os.dup2(null, 0)
    os.dup2(high[1], 1)
    os.dup2(high[1], 2)
    os.dup2(high[0], 3)
    os.closerange(4, 1 << 16)
    os.setsid()
    os.chdir("/box")
    os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])


def _report(status_fd: int, **event: object) -> None:
    os.write(status_fd, (json.dumps(event) + "\n").encode())


def main() -> None:
    cfg = json.loads(sys.argv[1])
    status = cfg["fds"]["status"]
    # /proc is still the judge's here, so this is our pid as the judge sees it.
    _report(status, event="start", host_pid=int(os.readlink("/proc/self")))
    try:
        build_root(cfg)
    except Exception as exc:
        _report(status, event="error", message=f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    pid = os.fork()
    if pid == 0:
        try:
            _template(cfg) if cfg.get("template") else _child(cfg)
        finally:
            os._exit(127)
    # Not dumpable: the child (same uid in a user namespace) cannot open /proc/1/*.
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    for fd in ("req", "reply", "out", "control"):
        if fd in cfg["fds"]:
            os.close(cfg["fds"][fd])
    reap_and_report(pid, status)


def reap_and_report(pid: int, status: int) -> None:
    """As PID 1: reap every orphan until ``pid`` ends, report how it ended on ``status``
    (exit code or signal, CPU time, peak memory), then exit."""
    while True:
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
