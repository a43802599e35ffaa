"""The warm start, judge side: one template per judge process, forking a child per submission.

The template is ``harness/template.py`` run by ``boot.py`` inside its own allowlist root and
namespaces (see :mod:`judge.runner` for who trusts whom). It imports torch once; each
:meth:`Template.fork` asks it, over a Unix socket, for a fresh child with the pipes the judge
made (passed as SCM_RIGHTS) and gets back a pidfd of the child's init, which is all the judge
needs to kill the submission and everything it started. If the template cannot start (or
dies and cannot be restarted) the sandbox falls back to a cold start and says why.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from judge.runner import processes, rootfs

START_BUDGET_S = 120.0
TEMPLATE_FILES = ("__init__.py", "convert.py", "guard.py", "integrity.py", "probes.py",
                  "child.py", "boot.py", "template.py")  # fmt: skip


class TemplateError(Exception):
    """The template could not start or fork (the sandbox then starts cold)."""


class Template:
    """The process that imported torch in the sandbox, and the judge's socket to it."""

    def __init__(
        self, harness: Path, env: dict[str, str], command: list[str], extra: Sequence[str] = ()
    ) -> None:
        self.torch_import_s: float | None = None
        self.marker = f"template-{secrets.token_hex(8)}"
        """METAJUDGE_SANDBOX in the template's environment (and so in every warm child's
        ``/proc/<pid>/environ``; inside, the harness sets the child's own marker)."""
        env = {**env, "METAJUDGE_SANDBOX": self.marker}
        self._lock = threading.Lock()
        self._ready = False
        self.vm_bytes = 0
        """The template's address space: a child's RLIMIT_AS must leave room above it."""
        box = self._box = Path(tempfile.mkdtemp(prefix=f"metajudge-box-{os.getpid()}-"))
        try:
            (box / "harness").mkdir()
            for name in TEMPLATE_FILES:
                shutil.copyfile(harness / name, box / "harness" / name)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            out_r, out_w = os.pipe()
            status_r, status_w = os.pipe()
            plan = rootfs.plan(extra)
            boot = {
                "box": str(box),
                "box_mb": 16,
                "root": plan.to_json(),
                "userns": os.geteuid() != 0,
                "uid": 0,
                "template": True,
                "fds": {"control": theirs.fileno(), "out": out_w, "status": status_w},
                "rlimits": {},
                "argv": [plan.python, "-I", "-B", "/box/harness/template.py", "3"],
                "env": env,
            }
            cmd = [*command, sys.executable, "-I", "-B", str(box / "harness" / "boot.py")]
            passed = [theirs.fileno(), out_w, status_w]
            try:
                self.proc = subprocess.Popen(
                    [*cmd, json.dumps(boot)],
                    stdin=subprocess.DEVNULL,
                    stdout=out_w,
                    stderr=out_w,
                    pass_fds=passed,
                    cwd="/",
                    env={"PATH": env["PATH"], "LANG": "C.UTF-8"},
                    start_new_session=True,
                )
            finally:
                theirs.close()
                os.close(out_w)
                os.close(status_w)
            self.socket = ours
            self.drain = processes.OutputDrain(out_r, 1 << 20, lambda: None)
            self.status = processes.StatusReader(status_r)
        except BaseException:
            shutil.rmtree(box, ignore_errors=True)
            raise

    def wait_ready(self) -> None:
        """Wait for the template's torch import (started by the constructor, which returns
        at once so that the judge imports torch meanwhile); TemplateError if it failed."""
        if self._ready:
            return
        try:
            ready = self._receive(time.monotonic() + START_BUDGET_S)
        finally:
            shutil.rmtree(self._box, ignore_errors=True)  # copied into the namespace by now
        if ready.get("kind") != "ready" or ready.get("threads") != 1:
            self.close()
            raise TemplateError(f"the template did not start: {ready} {self.drain.tail()[-500:]}")
        self.torch_import_s = ready.get("torch_import_s")
        self.vm_bytes = int(ready.get("vm_bytes") or 0)
        self._ready = True

    def _receive(self, deadline: float) -> dict:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TemplateError("the template did not answer in time")
            self.socket.settimeout(min(left, 1.0))
            try:
                message, fds, _, _ = socket.recv_fds(self.socket, 1 << 16, 2)
            except TimeoutError:
                if self.proc.poll() is not None:
                    raise TemplateError(f"the template ended: {self.drain.tail()[-500:]}") from None
                continue
            if not message:
                raise TemplateError(f"the template ended: {self.drain.tail()[-500:]}")
            try:
                data = json.loads(message)
            except ValueError:
                data = {}
            data["fds"] = fds
            return data

    def fork(self, config: dict, fds: list[int]) -> int:
        """A fresh child for one submission (fds: submission file, req, reply, out, status);
        returns the pidfd of its init."""
        with self._lock:
            self.wait_ready()
            try:
                socket.send_fds(self.socket, [json.dumps(config).encode()], fds)
                reply = self._receive(time.monotonic() + 60)
            except OSError as exc:
                raise TemplateError(f"the template is gone: {exc}") from exc
        if reply.get("kind") != "forked" or len(reply["fds"]) != 1:
            for fd in reply["fds"]:
                os.close(fd)
            raise TemplateError(f"the template could not fork: {reply.get('message')}")
        return reply["fds"][0]

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Kill the template and its namespace (children of submissions die with theirs)."""
        with contextlib.suppress(OSError):
            self.socket.close()
        event = self.status.wait_for("start", time.monotonic() + 1)
        if event is not None:
            with contextlib.suppress(OSError):
                os.kill(int(event["host_pid"]), signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.status.close()


_templates: dict[tuple[str, ...], Template] = {}
_failed: dict[tuple[str, ...], str] = {}


def shared(
    env: dict[str, str], command: list[str], harness: Path, extra: Sequence[str] = ()
) -> Template:
    """This process's template for the root with the ``extra`` distributions, started on
    first use (TemplateError if it cannot be)."""
    key = tuple(sorted(set(extra)))
    template = _templates.get(key)
    if template is not None and template.alive:
        return template
    if key in _failed:
        raise TemplateError(_failed[key])
    if template is not None:  # it died: one restart
        template.close()
        _failed[key] = "the template died once already"
    try:
        template = _templates[key] = Template(harness, env, command, key)  # see wait_ready
    except (TemplateError, OSError) as exc:
        _failed[key] = str(exc)
        raise TemplateError(_failed[key]) from exc
    return template


def fresh_uid() -> int:
    """A uid no other sandbox uses (its own RLIMIT_NPROC count, as root), never the judge's."""
    while (uid := 1_000_000 + secrets.randbelow(1_000_000)) == os.getuid():
        pass
    return uid


@atexit.register
def _close() -> None:
    for template in _templates.values():
        template.close()
