"""What the judge makes of the child's messages and of its end: a reply read within the
deadline and the caps, or the verdict of a failure (time, output, a crash, a signal).

:class:`ReplyReader` is the middle layer of :class:`judge.runner.sandbox.Sandbox`, above the
processes of :mod:`judge.runner.launch`: every failure it classifies discards the child first,
so the next call starts a fresh one. Nothing the child says is believed beyond what the
parent can check (see :mod:`judge.runner`).
"""

from __future__ import annotations

import signal
import time

from judge.runner import channel, processes
from judge.runner.launch import Launcher
from judge.text import MESSAGE_CHARS, clean
from judge.verdicts import JudgeError, SubmissionFailed, Verdict


class ReplyReader(Launcher):
    """Reading the child's replies and classifying how a call failed."""

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
