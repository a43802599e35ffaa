"""Sandbox: run a submission in an untrusted child process, at one of two isolation levels.

One long-lived child per submission (importing torch costs seconds; a call costs
milliseconds), restarted after any kill. The trust boundary, the processes and what each
level guarantees are told in :mod:`judge.runner`; how the parent reads the child's replies
is in :mod:`judge.runner.channel`; what the isolated child's root holds in
:mod:`judge.runner.rootfs`.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from judge.files import NotRegular, read_regular
from judge.runner import channel, processes, rootfs, warm
from judge.runner.isolation import (
    BOX_PREFIX,
    isolation_available,
    reap_stale_boxes,
    rlimit_table,
    unshare_command,
)
from judge.runner.limits import Limits
from judge.text import MESSAGE_CHARS, clean
from judge.verdicts import JudgeError, SubmissionFailed, Verdict

if TYPE_CHECKING:
    from judge.runner.inprocess import Reply

__all__ = ["BOX_PREFIX", "Reply", "Sandbox", "isolation_available", "reap_stale_boxes"]


def __getattr__(name: str) -> Any:
    if name == "Reply":  # re-exported lazily: judge.runner.inprocess imports torch
        from judge.runner.inprocess import Reply  # (see above)

        return Reply
    raise AttributeError(name)


REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent / "harness"
HARNESS_FILES = ("__init__.py", "convert.py", "guard.py", "integrity.py", "probes.py", "child.py",
                 "boot.py")  # fmt: skip
START_BUDGET_S = 120.0
"""Seconds the harness may take to import torch (the judge's own time, not the submission's)."""
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


class Sandbox:
    """The submission behind the trust boundary (see :mod:`judge.runner`).

    ``hide``: more paths to hide from (and forbid to) the child, e.g. a private problem
    pack's folder; the judge's repo is always hidden.
    """

    def __init__(
        self,
        submission: str | Path,
        entry_points: Sequence[str],
        limits: Limits,
        level: str = "auto",
        *,
        hide: Sequence[str | Path] = (),
        warm: bool | None = None,
        packages: Sequence[str] = (),
    ) -> None:
        self.submission = Path(submission)
        self.packages = tuple(sorted(set(packages)))
        """Distributions beyond torch and numpy that the isolated child's root holds (what
        the problem declares in ``packages``)."""
        self.entry_points = tuple(entry_points)
        self.limits = limits
        self.hide = tuple(str(Path(p).resolve()) for p in hide)
        if level == "auto":
            level = "isolated" if isolation_available()[0] else "basic"
        elif level == "isolated":
            ok, why = isolation_available()
            if not ok:
                raise JudgeError(f"the isolated sandbox is not available here: {why}")
        elif level != "basic":
            raise ValueError(f"level must be auto, isolated or basic, not {level!r}")
        self.level = level
        if warm is None:  # METAJUDGE_WARM=0: every child a cold start (benchmarks compare)
            warm = os.environ.get("METAJUDGE_WARM", "1") != "0"
        self.warm = warm and level == "isolated"
        """Fork the child from this process's template (torch already imported) rather
        than start an interpreter; False after the template failed (``cold_reason``)."""
        self.cold_reason = ""
        self._template_launched = False
        self.reason = "" if level == "isolated" else isolation_available()[1] or "asked for"
        """Why the level is ``basic`` (empty at ``isolated``)."""
        self.isolation = ""
        """How the isolated level isolates: ``root`` or ``user namespace``."""
        if level == "isolated":
            self.isolation = "root" if os.geteuid() == 0 else "user namespace"
        self.network = "blocked" if level == "isolated" else "allowed"
        """"allowed" at the basic level until a started child reports its seccomp filter."""
        self.seccomp = False
        """Whether the child's system-call filter is installed (x86_64 Linux)."""
        self.signatures: dict[str, str] = {}
        """Each entry point's signature as the child saw it (``inspect.signature``)."""
        self.timings: dict[str, float | None] = {}
        """The last start: ``torch_import_s`` in the child, ``start_s`` in all."""
        self.uid: int | None = None
        """The child's uid at the isolated level as root (fresh for each start); None in a
        user namespace, where only the judge's own uid can be mapped (the child runs as it,
        without any capability and with no_new_privs)."""
        self.marker: str | None = None
        """The value of METAJUDGE_SANDBOX in the child's environment (fresh for each start)."""
        self._nonce = 0
        self._child: _Child | None = None

    # -- life cycle ---------------------------------------------------------------------

    def _running(self) -> _Child:
        """The current child; the judge's error if there is none (a call before start)."""
        if self._child is None:
            raise JudgeError("the sandbox has no child: start() it first")
        return self._child

    def launch(self) -> None:
        """Start booting the child and return at once; :meth:`start` waits for it.

        Importing ``judge.runner.sandbox`` does not import torch, so a CLI can launch the child
        first and overlap the child's torch import with its own.
        """
        if self._child is None:
            if self.warm and not self._template_launched:
                # The template's torch import overlaps the judge's; the fork waits in start().
                self._template_launched = True
                with contextlib.suppress(warm.TemplateError):  # _spawn falls back then
                    self._template()
                return
            self._spawn()

    def start(self) -> None:
        """Boot the child and import the submission (SubmissionFailed if that fails)."""
        if self._child is not None and self._child.started:
            return
        self.launch()
        if self._child is None:  # launch() only started the template
            self._spawn()
        child = self._running()
        began = child.began
        try:
            try:  # nothing of the submission has run yet: any failure here is the judge's
                ready = self._receive(time.monotonic() + START_BUDGET_S, "starting the sandbox")
            except SubmissionFailed as failure:
                tail = self.output[-2000:]
                raise JudgeError(
                    f"the sandbox's harness did not start ({failure.message}); "
                    f"memory_mb={self.limits.memory_mb}; its output: {tail}"
                ) from None
            if ready.get("kind") != "ready":
                raise JudgeError("the sandbox's harness did not start")
            self.timings = {"torch_import_s": ready.get("torch_import_s")}
            if self.level == "isolated" and child.box is not None:  # copied in: not needed
                shutil.rmtree(child.box, ignore_errors=True)
            self.seccomp = ready.get("seccomp") is True
            if self.seccomp:  # no socket but AF_UNIX can be opened, at either level
                self.network = "blocked"
            what = f"importing {self.submission.name}"
            started = self._receive(time.monotonic() + self.limits.time_s, what)
        except BaseException:
            self._discard()
            raise
        if started.get("kind") != "started":
            self._discard()
            raise self._failed(started)
        signatures = started.get("signatures")
        if not isinstance(signatures, dict) or not all(
            isinstance(v, str) for v in signatures.values()
        ):
            self._discard()
            raise SubmissionFailed(Verdict.RUNTIME_ERROR, f"{what}: malformed reply from the child")
        # a signature is bounded text: the child states at most 500 characters of each
        self.signatures = {k: v if len(v) <= 1000 else "(...)" for k, v in signatures.items()}
        self.timings["start_s"] = time.monotonic() - began
        child.started = True

    def call(
        self, entry: str, args: tuple, kwargs: dict, probe: tuple[str, tuple] | None = None
    ) -> Reply:
        """Run ``entry(*args, **kwargs)`` (and the probe) in the child (see :mod:`judge.runner`)."""
        self.start()
        child = self._running()
        from judge.runner.inprocess import Reply  # here: importing it imports torch

        self._nonce = secrets.randbits(63)  # a forged reply cannot guess it
        request = {"entry": entry, "args": tuple(args), "kwargs": dict(kwargs), "probe": probe}
        try:
            body = (
                self._nonce.to_bytes(8, "little") + channel.encode(request)[channel.HEADER.size :]
            )
        except Exception as exc:  # a lambda or a class of the test file: the test's bug
            raise JudgeError(
                f"the arguments of {entry}() cannot be sent to the child: {exc}"
            ) from exc
        foreign = channel.foreign_globals(body[8:])
        if foreign:  # checked here, so that a "bad_request" from the child is never believed
            raise JudgeError(f"the arguments of {entry}() need {foreign[0]}, which the child lacks")
        deadline = time.monotonic() + self.limits.time_s
        what = f"{entry}()"
        try:
            channel.write_all(
                child.req, channel.HEADER.pack(len(body)) + body, deadline, child.ended
            )
        except channel.Timeout:
            self._timeout(what)
        except channel.Closed:
            raise self._ended(what) from None
        message = self._receive(deadline, what)
        nonce = message.get("nonce")
        if type(nonce) is not int or nonce != self._nonce:
            self._discard()
            raise SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{what}: the child sent a reply out of turn (forged?)"
            )
        if message["kind"] == "bad_request":  # the request was checked well-formed above
            self._discard()
            raise SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{what}: the child refused a well-formed request"
            )
        if message["kind"] == "failed":
            raise self._failed(message)
        if message["kind"] != "reply" or not isinstance(message.get("args_after"), list):
            self._discard()
            raise SubmissionFailed(Verdict.RUNTIME_ERROR, f"{what}: malformed reply from the child")
        return Reply(
            message.get("value"),
            message["args_after"],
            message.get("kwargs_after") or {},
            message.get("probe"),
        )

    def close(self) -> None:
        """Kill the child (and everything it started) and delete the box."""
        self._discard()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def output(self) -> str:
        """The last few KiB the child printed (stdout and stderr together)."""
        drain = self._child.drain if self._child else getattr(self, "_last_drain", None)
        return clean(drain.tail()) if drain else ""

    # -- receiving and classifying ----------------------------------------------------------

    def _receive(self, deadline: float, what: str) -> dict:
        child = self._running()
        try:
            data = channel.read_message(child.reply, self.limits.reply_bytes, deadline, child.ended)
            message = channel.decode(data, self.limits.reply_bytes)
        except channel.Timeout:
            self._timeout(what)
        except channel.Closed:
            raise self._ended(what) from None
        except channel.BadReply as exc:
            self._discard()
            if child.drain_exceeded():
                raise self._output_limit(what) from None
            raise SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{what}: the child's reply was rejected: {exc}"
            ) from None
        if child.drain_exceeded():
            self._discard()
            raise self._output_limit(what)
        return message

    def _timeout(self, what: str) -> None:
        exceeded = self._running().drain_exceeded()
        self._discard()
        if exceeded:
            raise self._output_limit(what)
        raise SubmissionFailed(
            Verdict.TIME_LIMIT, f"{what} took longer than {self.limits.time_s:g} s (wall clock)"
        )

    def _output_limit(self, what: str) -> SubmissionFailed:
        return SubmissionFailed(
            Verdict.OUTPUT_LIMIT, f"{what} printed more than {self.limits.output_bytes} bytes"
        )

    def _failed(self, message: dict) -> SubmissionFailed:
        verdict = message.get("verdict")  # any value: the child may send a list or a tensor
        if type(verdict) is not str or verdict not in {v.value for v in Verdict}:
            verdict = Verdict.RUNTIME_ERROR
        if verdict == Verdict.ACCEPTED:
            verdict = Verdict.RUNTIME_ERROR
        exc_type = message.get("exc_type")
        return SubmissionFailed(
            Verdict(verdict),
            clean(message.get("message", ""), MESSAGE_CHARS),
            exc_type=clean(exc_type, 200) if isinstance(exc_type, str) else None,
            detail=clean(message.get("detail", ""), 20000),
        )

    def _ended(self, what: str) -> SubmissionFailed:
        """The child ended on its own: how? (JudgeError when that cannot be known.)"""
        child = self._running()
        try:
            status = processes.status_of(child, deadline=time.monotonic() + 3)
        finally:
            exceeded = child.drain_exceeded()
            self._discard()
        if exceeded:
            return self._output_limit(what)
        if status == "running":
            return SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{what}: the child closed the judge's reply channel"
            )
        if not isinstance(status, dict):  # None: no word at all from the boot script
            raise JudgeError("the sandbox's boot script gave no status for the child")
        if status.get("event") == "error":
            raise JudgeError(f"the isolated sandbox could not be built: {status.get('message')}")
        sig, code, cpu = status.get("signal"), status.get("exitcode"), status.get("cpu_s") or 0.0
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= self.limits.cpu_s - 0.5):
            return SubmissionFailed(
                Verdict.TIME_LIMIT, f"{what} used up the {self.limits.cpu_s:g} s of CPU time"
            )
        if sig is not None:
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            return SubmissionFailed(Verdict.RUNTIME_ERROR, f"{what}: the process died of {name}")
        return SubmissionFailed(
            Verdict.RUNTIME_ERROR, f"{what}: the process exited with status {code}"
        )

    # -- processes --------------------------------------------------------------------------

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
            "forbidden_roots": [str(REPO_ROOT), *self.hide],
            "allowed_roots": [rootfs.VENV, rootfs.PYTHON] if isolated else prefixes,
            "memory_mb": self.limits.memory_mb,
            "seccomp": True,
            "rlimits": {} if isolated else rlimits,
        }
        (box / "harness" / "config.json").write_text(json.dumps(config))
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/box" if isolated else str(box),
            "TMPDIR": "/tmp" if isolated else str(box),
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "METAJUDGE_SANDBOX": token,
        }
        if root is not None and root.library_path:
            env["LD_LIBRARY_PATH"] = ":".join(root.library_path)
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
                self.uid = None if userns else 1_000_000 + secrets.randbelow(1_000_000)
                boot = {
                    "box": str(box),
                    "box_mb": BOX_MB,
                    "root": root.to_json(),
                    "userns": userns,
                    "uid": self.uid,
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

    def _template(self) -> warm.Template:
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
        self.uid = None if userns else warm.fresh_uid()
        env = self._environment(token)
        env.pop("LD_LIBRARY_PATH", None)  # read by the template's loader already
        config = {
            "config": {
                "submission": name,
                "entry_points": list(self.entry_points),
                "forbidden_roots": [str(REPO_ROOT), *self.hide],
                "allowed_roots": [rootfs.VENV, rootfs.PYTHON],
                "memory_mb": self.limits.memory_mb,
                "seccomp": True,
            },
            "env": env,
            "rlimits": rlimit_table(self.limits, self.limits.processes),
            "userns": userns,
            "uid": self.uid,
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
