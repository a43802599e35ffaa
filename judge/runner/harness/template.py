"""The warm start: a process that imported torch once, inside the sandbox, and forks one fresh
child per submission. It never runs a submission itself.

Run by ``boot.py`` (template mode) as ``python -I -B /box/harness/template.py 3`` inside the
allowlist root, keeping the privileges of the namespace's root (it is trusted: the judge's
code only). Fd 3 is a Unix socket to the judge. Per request (a JSON config, with the fds of
the submission file and of the new child's request, reply, output and status pipes passed as
SCM_RIGHTS) it forks a *warden*, which

1. enters new mount, PID, IPC and network namespaces and mounts a fresh ``/box`` (the submission
   only), ``/tmp`` and ``/dev/shm``, so that no file of one submission reaches the next;
2. forks the child's *init* (PID 1 of the new PID namespace: a private ``/proc``; when it
   ends the kernel kills everything the submission started), and sends the judge a pidfd
   of it, with which the judge kills the whole submission;
3. exits. The init forks the child proper, which takes its fds, rlimits, a fresh uid (as
   root a real one; otherwise one in a user namespace of its own), drops every capability, sets
   no_new_privs and runs the harness's request loop (``child.Child``) on memory copied from
   the template: torch is imported already, and nothing it changes goes back.

The init reports how the child ended on the status pipe (``exit``), as ``boot.py`` does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import resource
import signal
import socket
import sys
import time
import types

CLONE_NEWNS, CLONE_NEWIPC = 0x20000, 0x8000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
PR_SET_CHILD_SUBREAPER = 36
HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name: str, path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


boot = _load("harness_boot", os.path.join(HERE, "boot.py"))
child = _load("harness_child", os.path.join(HERE, "child.py"))
_libc = boot._libc


def _become_child(cfg: dict, fds: dict, control: socket.socket) -> None:
    """In the child proper: its fds, limits and identity, then the harness's loop."""
    control.detach()  # its fd is closed below; the object must not close a reused number
    if cfg["userns"]:  # a uid of its own, and its own RLIMIT_NPROC count (see boot.py)
        try:
            boot.own_user_namespace(cfg["uid"])
        except OSError as exc:  # the judge's failure, said so on the status pipe
            boot._report(fds["status"], event="error", message=f"{type(exc).__name__}: {exc}")
            raise
    null = os.open(os.devnull, os.O_RDONLY)
    high = [os.dup2(fds[name], 100 + i) for i, name in enumerate(("req", "reply", "out"))]
    os.dup2(null, 0)
    os.dup2(high[2], 1)
    os.dup2(high[2], 2)
    os.dup2(high[0], boot.CHILD_REQ)
    os.dup2(high[1], boot.CHILD_REPLY)
    os.closerange(boot.CHILD_REPLY + 1, 1 << 16)
    os.setsid()
    os.chdir("/box")
    os.environ.clear()
    os.environ.update(cfg["env"])
    for name, (soft, hard) in cfg["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if cfg["userns"]:
        boot._drop_capabilities()
    else:
        uid = cfg["uid"]
        boot._drop_bounding_set()
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    boot._check(_libc.prctl(boot.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")
    try:
        harness = child.Child(boot.CHILD_REQ, boot.CHILD_REPLY, cfg["config"])
        harness.torch_import_s = cfg["torch_import_s"]
        harness.serve()
    except BaseException:
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        os._exit(70)
    os._exit(0)


def _init(cfg: dict, fds: dict, control: socket.socket) -> None:
    """PID 1 of the submission's PID namespace: a private /proc, the child, its status."""
    boot._mount(
        "proc", "/proc", "proc", boot.MS_NOSUID | boot.MS_NODEV | boot.MS_NOEXEC, "hidepid=2"
    )
    null = os.open("/dev/null", os.O_PATH)
    for name in boot.PROC_MASKED:
        if os.path.exists(f"/proc/{name}"):
            boot._bind(null, f"/proc/{name}", extra=boot.MS_NOSUID)
    os.close(null)
    pid = os.fork()
    if pid == 0:
        try:
            _become_child(cfg, fds, control)
        finally:
            os._exit(127)
    _libc.prctl(boot.PR_SET_DUMPABLE, 0, 0, 0, 0)
    for name in ("req", "reply", "out"):
        os.close(fds[name])
    status = fds["status"]
    boot.reap_and_report(pid, status)


def _warden(cfg: dict, fds: dict, control: socket.socket) -> None:
    """Fresh namespaces and scratch space for one submission; hands the judge a pidfd."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # A network namespace of its own too: abstract Unix sockets are per network namespace,
    # and two submissions alive at once must not talk.
    boot._check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    boot._mount(None, "/", None, boot.MS_REC | boot.MS_PRIVATE)
    boot._tmpfs("/box", f"{cfg['box_mb']}m", "1777")
    # The template's /etc names uid 0: files naming the child's uid, written on a scratch
    # tmpfs, bound read-only over them; the scratch is unmounted before /tmp is mounted.
    boot._tmpfs("/tmp", "64k", "755")
    for name, text in boot.identity_files(cfg["uid"]).items():
        with open(f"/tmp/{name}", "w") as f:
            f.write(text)
        boot._mount(f"/tmp/{name}", f"/etc/{name}", None, boot.MS_BIND)
        boot._readonly(f"/etc/{name}")
    boot._check(_libc.umount2(b"/tmp", boot.MNT_DETACH), "umount2 /tmp")
    boot._tmpfs("/tmp", f"{boot.SCRATCH_MB}m", "1777")
    boot._tmpfs("/dev/shm", f"{boot.SCRATCH_MB}m", "1777")
    name = cfg["config"]["submission"]
    with os.fdopen(fds.pop("submission"), "rb") as src, open(f"/box/{name}", "wb") as dst:
        dst.write(src.read(cfg["submission_bytes"]))
    os.chmod(f"/box/{name}", 0o644)
    pid = os.fork()
    if pid == 0:
        try:
            _init(cfg, fds, control)
        finally:
            os._exit(127)
    pidfd = os.pidfd_open(pid)
    socket.send_fds(control, [b'{"kind": "forked"}'], [pidfd])
    os._exit(0)


def _reap(*_: object) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    began = time.perf_counter()
    import torch  # the one import every submission shares

    torch_import_s = time.perf_counter() - began
    torch.set_num_threads(1)
    torch.save({"warm": torch.zeros(1)}, io.BytesIO())  # pickling and zip code paths, loaded
    child._load_harness()
    from harness import convert, guard, integrity, probes  # noqa: F401  (loaded for every child)

    tasks = len(os.listdir("/proc/self/task"))
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # the inits, once their wardens exit
    signal.signal(signal.SIGCHLD, _reap)
    with open("/proc/self/status") as f:
        vm = next(int(line.split()[1]) << 10 for line in f if line.startswith("VmSize:"))
    ready = {"kind": "ready", "torch_import_s": torch_import_s, "threads": tasks, "vm_bytes": vm}
    control.sendall(json.dumps(ready).encode())
    if tasks != 1:  # forking a process with threads would copy their locks, not them
        os._exit(3)
    while True:
        try:
            message, passed, _, _ = socket.recv_fds(control, 1 << 16, 8)
        except InterruptedError:
            continue
        if not message:
            os._exit(0)
        cfg = json.loads(message)
        fds = dict(zip(("submission", "req", "reply", "out", "status"), passed, strict=True))
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _warden(cfg, fds, control)
            except BaseException as exc:
                with contextlib.suppress(BaseException):
                    socket.send_fds(
                        control, [json.dumps({"kind": "error", "message": str(exc)}).encode()], []
                    )
            finally:
                os._exit(127)
        for fd in passed:
            os.close(fd)


if __name__ == "__main__":
    main()
