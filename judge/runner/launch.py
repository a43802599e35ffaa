"""Launching the sandbox's child and killing it: the box, the command line, the environment,
the pipes, the warm template's fork, and the reaping (the processes of :mod:`judge.runner`).

:class:`Launcher` is the lowest layer of :class:`judge.runner.sandbox.Sandbox`: it holds the
one running child (``_child``) and knows how to start, signal and discard it; what the child
sends is read in :mod:`judge.runner.replies`, the public life cycle is in
:mod:`judge.runner.sandbox`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from judge.files import NotRegular, read_regular
from judge.resources import installed_from_wheel
from judge.runner import processes, rootfs, warm
from judge.runner.isolation import BOX_PREFIX, reap_stale_boxes, rlimit_table, unshare_command
from judge.runner.limits import Limits
from judge.runner.warm import Template  # by name: the attribute `warm` shadows the module
from judge.text import MESSAGE_CHARS, clean
from judge.verdicts import JudgeError, SubmissionFailed, Verdict

REPO_ROOT = Path(__file__).resolve().parents[2]
JUDGE_ROOTS = (
    (str(REPO_ROOT),)
    if not installed_from_wheel()
    else (str(REPO_ROOT / "judge"), str(REPO_ROOT / "reference"))
)
"""What the guard refuses to every submission: the checkout, or installed from a wheel (where
``REPO_ROOT`` is the site-packages that also holds torch) the judge's own packages, its
problems included."""
HARNESS = Path(__file__).resolve().parent / "harness"
HARNESS_FILES = ("__init__.py", "convert.py", "guard.py", "integrity.py", "probes.py", "child.py",
                 "boot.py")  # fmt: skip
BOX_MB = 64

_reaped = False


@dataclass
class _Child:
    """One started child: its box, the judge's ends of its pipes, and how to kill it."""

    box: Path | None
    """The host folder the boot script copies from (None for a warm child)."""
    req: int
    reply: int
    token: str
    began: float
    proc: subprocess.Popen | None = None
    drain: processes.OutputDrain | None = None
    status: processes.StatusReader | None = None
    ended: int | None = None
    """An fd that becomes readable when the child has ended (status pipe or pidfd)."""
    pidfd: int | None = None
    started: bool = False

    def drain_exceeded(self) -> bool:
        """Whether the child printed past the output cap."""
        return self.drain is not None and self.drain.exceeded


class Launcher:
    """The Sandbox's processes: one child at a time, started cold or forked warm, killed whole.

    The state it reads is the Sandbox's (set in its ``__init__``, documented there).
    """

    submission: Path
    entry_points: tuple[str, ...]
    limits: Limits
    level: str
    hide: tuple[str, ...]
    packages: tuple[str, ...]
    warm: bool
    cold_reason: str
    uid: int | None
    marker: str | None
    _child: _Child | None

    def _running(self) -> _Child:
        """The current child; the judge's error if there is none (a call before start)."""
        if self._child is None:
            raise JudgeError("the sandbox has no child: start() it first")
        return self._child

    def _spawn(self) -> None:
        global _reaped
        if not _reaped:
            _reaped = True
            reap_stale_boxes()
        if self.warm:
            try:
                self._spawn_warm()
                return
            except warm.TemplateError as exc:
                self.warm, self.cold_reason = False, str(exc)[:500]
        box = Path(tempfile.mkdtemp(prefix=f"{BOX_PREFIX}{os.getpid()}-"))
        name = self.submission.name if self.submission.name != "harness" else "submission.py"
        try:  # never through a link: the file is checked on its open descriptor
            (box / name).write_bytes(read_regular(self.submission))
        except NotRegular as exc:
            shutil.rmtree(box, ignore_errors=True)
            raise SubmissionFailed(Verdict.COMPILE_ERROR, clean(exc, MESSAGE_CHARS)) from None
        (box / "harness").mkdir()
        for file in HARNESS_FILES:
            shutil.copyfile(HARNESS / file, box / "harness" / file)
        isolated = self.level == "isolated"
        token = self.marker = secrets.token_hex(8)
        prefixes = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)})
        prefixes += [p for p in (sys.prefix, sys.base_prefix) if p not in prefixes]
        nproc = self.limits.processes if isolated else processes.basic_nproc(self.limits.processes)
        rlimits = rlimit_table(self.limits, nproc)
        root = rootfs.plan(self.packages) if isolated else None
        config = {
            "submission": name,
            "entry_points": list(self.entry_points),
            "forbidden_roots": [*JUDGE_ROOTS, *self.hide],
            "allowed_roots": [rootfs.VENV, rootfs.PYTHON] if isolated else prefixes,
            "memory_mb": self.limits.memory_mb,
            "seccomp": True,
            "rlimits": {} if isolated else rlimits,
        }
        (box / "harness" / "config.json").write_text(json.dumps(config))
        env = self._environment(token)
        if not isolated:  # no root of its own: home and scratch are the box on the host
            env["HOME"] = env["TMPDIR"] = str(box)
        req_r, req_w = os.pipe()
        reply_r, reply_w = os.pipe()
        out_r, out_w = os.pipe()
        status_r, status_w = os.pipe() if isolated else (-1, -1)
        ours = [req_r, reply_w, out_w] + ([status_w] if isolated else [])
        child = _Child(box, req_w, reply_r, token, time.monotonic())
        self._child = child
        # The sandbox dies with the judge, even a SIGKILLed one: setpriv --pdeathsig (kept
        # across exec) kills unshare, whose --kill-child kills PID 1 and so the namespace.
        setpriv = shutil.which("setpriv")
        deathsig = [setpriv, "--pdeathsig", "KILL"] if setpriv else []
        try:
            if root is not None:  # the isolated level
                userns = os.geteuid() != 0
                uid = warm.fresh_uid()  # in a user namespace: the child's uid as it sees itself
                self.uid = None if userns else uid
                boot = {
                    "box": str(box),
                    "box_mb": BOX_MB,
                    "root": root.to_json(),
                    "userns": userns,
                    "uid": uid,
                    "fds": {"req": req_r, "reply": reply_w, "out": out_w, "status": status_w},
                    "rlimits": rlimits,
                    "argv": [root.python, "-I", "-B", "/box/harness/child.py", "3", "4"],
                    "env": env,
                }
                cmd = [*deathsig, *unshare_command(), sys.executable, "-I", "-B"]
                cmd += [str(box / "harness" / "boot.py"), json.dumps(boot)]
                popen_env = {"PATH": env["PATH"], "LANG": "C.UTF-8"}
                cwd = "/"
            else:
                cmd = [*deathsig, sys.executable, "-I", "-B", f"{box}/harness/child.py"]
                cmd += [str(req_r), str(reply_w)]
                popen_env, cwd = env, str(box)
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=ours,
                cwd=cwd,
                env=popen_env,
                start_new_session=True,
            )
        finally:
            for fd in ours:
                os.close(fd)
        child.proc = proc
        child.drain = processes.OutputDrain(
            out_r, self.limits.output_bytes, lambda: self._signal(child)
        )
        os.set_blocking(req_w, False)
        os.set_blocking(reply_r, False)
        if isolated:
            child.status = processes.StatusReader(status_r)
            child.ended = status_r
            start = child.status.wait_for("start", time.monotonic() + 30)
            if start is None:
                self._discard()
                raise JudgeError("the sandbox's boot script did not report its start")
            with contextlib.suppress(OSError):
                child.pidfd = os.pidfd_open(int(start["host_pid"]))
        else:
            child.pidfd = os.pidfd_open(proc.pid) if hasattr(os, "pidfd_open") else None
            child.ended = child.pidfd

    def _environment(self, token: str) -> dict[str, str]:
        """The child's whole environment (nothing of the judge's): paths inside its root, one
        thread for every maths library, the marker that finds its processes, and the root's
        library path at the isolated level."""
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/box",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "METAJUDGE_SANDBOX": token,
        }
        if self.level == "isolated" and (library_path := rootfs.plan(self.packages).library_path):
            env["LD_LIBRARY_PATH"] = ":".join(library_path)
        return env

    def _template(self) -> Template:
        """This process's template, started if it was not (it may still be importing)."""
        setpriv = shutil.which("setpriv")
        deathsig = [setpriv, "--pdeathsig", "KILL"] if setpriv else []
        template_env = self._environment("template")
        command = [*deathsig, *unshare_command()]
        return warm.shared(template_env, command, HARNESS, self.packages)

    def _spawn_warm(self) -> None:
        """A child forked from the template (see :mod:`judge.runner.warm`)."""
        template = self._template()
        template.wait_ready()
        if (self.limits.memory_mb << 20) <= template.vm_bytes:
            raise JudgeError(
                f"the sandbox's harness did not start: memory_mb={self.limits.memory_mb} is "
                f"below the {template.vm_bytes >> 20} MiB the interpreter with torch occupies"
            )
        token = self.marker = secrets.token_hex(8)
        name = self.submission.name if self.submission.name != "harness" else "submission.py"
        userns = os.geteuid() != 0
        uid = warm.fresh_uid()  # in a user namespace: the child's uid as it sees itself
        self.uid = None if userns else uid
        env = self._environment(token)
        env.pop("LD_LIBRARY_PATH", None)  # read by the template's loader already
        config = {
            "config": {
                "submission": name,
                "entry_points": list(self.entry_points),
                "forbidden_roots": [*JUDGE_ROOTS, *self.hide],
                "allowed_roots": [rootfs.VENV, rootfs.PYTHON],
                "memory_mb": self.limits.memory_mb,
                "seccomp": True,
            },
            "env": env,
            "rlimits": rlimit_table(self.limits, self.limits.processes),
            "userns": userns,
            "uid": uid,
            "box_mb": BOX_MB,
            "submission_bytes": BOX_MB << 20,
            "torch_import_s": template.torch_import_s,
        }
        req_r, req_w = os.pipe()
        reply_r, reply_w = os.pipe()
        out_r, out_w = os.pipe()
        status_r, status_w = os.pipe()
        source = os.open(self.submission, os.O_RDONLY)
        ours = [source, req_r, reply_w, out_w, status_w]
        child = _Child(None, req_w, reply_r, token, time.monotonic())
        try:
            child.pidfd = template.fork(config, ours)
        except BaseException:
            for fd in (req_w, reply_r, out_r, status_r):
                os.close(fd)
            raise
        finally:
            for fd in ours:
                os.close(fd)
        self._child = child
        kill = lambda: self._signal(child)  # noqa: E731
        child.drain = processes.OutputDrain(out_r, self.limits.output_bytes, kill)
        child.status = processes.StatusReader(status_r)
        child.ended = status_r
        os.set_blocking(req_w, False)
        os.set_blocking(reply_r, False)

    def _signal(self, child: _Child) -> None:
        """SIGKILL the whole sandbox now (thread-safe; reaping is :meth:`_discard`'s job)."""
        proc = child.proc
        if self.level == "isolated":
            if child.pidfd is not None:
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
            elif proc is not None:  # unshare's --kill-child takes PID 1 with it
                with contextlib.suppress(OSError):
                    proc.kill()
        elif proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            processes.kill_marked(child.token)

    def _discard(self) -> None:
        """Kill the child if alive, reap it, close the pipes, delete the box."""
        child, self._child = self._child, None
        if child is None:
            return
        self._signal(child)
        proc = child.proc
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.level == "basic":
            processes.kill_marked(child.token)
        if child.drain is not None:
            child.drain.join(5)
            self._last_drain = child.drain
        for fd in (child.req, child.reply, child.pidfd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if child.status is not None:
            child.status.close()
        if child.box is not None:
            shutil.rmtree(child.box, ignore_errors=True)
