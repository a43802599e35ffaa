"""The one verdict vocabulary, and the two ways a call into a submission can go wrong.

A :class:`SubmissionFailed` is the submission's fault and carries a verdict; a
:class:`JudgeError` is the judge's own failure and is never blamed on the submission
(the CLI exits 2 and batch rows get ``grading_status = "judge_error"``).
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    RUNTIME_ERROR = "runtime_error"
    COMPILE_ERROR = "compile_error"
    OUTPUT_LIMIT = "output_limit"
    FORBIDDEN = "forbidden"


class SubmissionFailed(Exception):
    """A call into the submission did not produce data: it raised, ran out of time or
    memory, printed too much, exited, did something forbidden or returned a non-data value.

    ``exc_type`` is the name of the exception the submission raised (for ``runtime_error``
    caused by an exception), so that tests can accept a required ``ValueError``.
    """

    def __init__(
        self,
        verdict: Verdict,
        message: str,
        *,
        exc_type: str | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message
        self.exc_type = exc_type
        self.detail = detail
        self.call: tuple[str, tuple, dict] | None = None
        """The call that failed (entry, args, kwargs), set by the test API so that a hint can
        replay it on the known mistakes."""


class JudgeError(Exception):
    """The judge itself failed (a broken problem, a sandbox that gave no status, ...)."""
