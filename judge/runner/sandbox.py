"""Sandbox: run a submission in an untrusted child process, at one of two isolation levels.

One long-lived child per submission (importing torch costs seconds; a call costs
milliseconds), restarted after any kill. The trust boundary, the processes and what each
level guarantees are told in :mod:`judge.runner`. The Sandbox is built in three layers:
this module is its public life cycle (choose the level, start, call, close);
:mod:`judge.runner.replies` reads the child's replies and classifies failures;
:mod:`judge.runner.launch` starts the child (the box, the command line, the environment,
the pipes) and kills it. How a reply's bytes are framed and decoded is in
:mod:`judge.runner.channel`; what the isolated child's root holds in :mod:`judge.runner.rootfs`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from judge.runner import channel, warm
from judge.runner.isolation import BOX_PREFIX, isolation_available, reap_stale_boxes
from judge.runner.launch import JUDGE_ROOTS, REPO_ROOT
from judge.runner.limits import Limits
from judge.runner.replies import ReplyReader
from judge.text import clean
from judge.verdicts import JudgeError, SubmissionFailed, Verdict

if TYPE_CHECKING:
    from judge.runner.inprocess import Reply

__all__ = [
    "BOX_PREFIX",
    "JUDGE_ROOTS",
    "REPO_ROOT",
    "Reply",
    "Sandbox",
    "isolation_available",
    "reap_stale_boxes",
]


def __getattr__(name: str) -> Any:
    if name == "Reply":  # re-exported lazily: judge.runner.inprocess imports torch
        from judge.runner.inprocess import Reply  # (see above)

        return Reply
    raise AttributeError(name)


START_BUDGET_S = 120.0
"""Seconds the harness may take to import torch (the judge's own time, not the submission's)."""


class Sandbox(ReplyReader):
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
        user namespace, where only the judge's own uid can be mapped: there the child is a
        fresh uid in a user namespace of its own, the judge's to the kernel, without any
        capability and with no_new_privs."""
        self.marker: str | None = None
        """The value of METAJUDGE_SANDBOX in the child's environment (fresh for each start)."""
        self._nonce = 0
        self._child = None

    # -- life cycle ---------------------------------------------------------------------

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
        self,
        entry: str,
        args: tuple,
        kwargs: dict,
        probe: tuple[str, tuple] | None = None,
        twice: dict | None = None,
    ) -> Reply:
        """Run ``entry(*args, **kwargs)`` (and the probe) in the child (see :mod:`judge.runner`)."""
        self.start()
        child = self._running()
        from judge.runner.inprocess import Reply  # here: importing it imports torch

        self._nonce = secrets.randbits(63)  # a forged reply cannot guess it
        request = {"entry": entry, "args": tuple(args), "kwargs": dict(kwargs), "probe": probe,
                   "twice": twice}  # fmt: skip
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
            message.get("second"),
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
