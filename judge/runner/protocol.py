"""The one interface the engine grades through: :class:`Runner` (Sandbox and InProcess)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # Reply lives with InProcess, which imports torch
    from judge.runner.inprocess import Reply


@runtime_checkable
class Runner(Protocol):
    """Where a submission's entry points are called: behind the sandbox or, for trusted
    code, in the judge's own process. See :mod:`judge.runner` for the contract."""

    level: str
    """``isolated``, ``basic`` or ``in-process``."""
    network: str
    """``blocked`` or ``allowed``: whether the submission could open a network socket."""
    signatures: dict[str, str]
    """Each entry point's ``str(inspect.signature(...))`` once started."""

    def start(self) -> None:
        """Import the submission (SubmissionFailed if that fails; JudgeError if the runner
        itself cannot start)."""

    def call(
        self,
        entry: str,
        args: tuple,
        kwargs: dict,
        probe: tuple[str, tuple] | None = None,
        twice: dict | None = None,
    ) -> Reply:
        """``entry(*args, **kwargs)`` (and the probe) -> plain data; SubmissionFailed.

        ``twice`` (a dict, maybe empty) asks for a second call on the very same argument
        objects after the first, with ``twice``'s values in the positions (int keys) or
        keywords (str keys) it names; its value is ``Reply.second``."""

    def close(self) -> None:
        """Stop everything the runner started."""
