"""The API problem tests use (docs/authoring.md, "Tests").

Tests are trusted code run in the judge's process. They call the submission through a
:class:`Proxy` over a runner (the sandbox for the candidate;
:class:`~judge.runner.inprocess.InProcess` for the solution and the known mistakes), compare
with :func:`expect_close` and friends, and fail with :class:`TestFailed`, which may carry the
hint of the known mistake the submission matches. The proxies, probes and known mistakes
live in :mod:`judge.calls` and are re-exported here; the comparisons and messages in
:mod:`judge.compare`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from judge.calls import (
    Mistake,
    MistakeCheck,
    Mistakes,
    Outcome,
    Probe,
    Proxy,
    ReferenceFailed,
    failure_hint,
)
from judge.compare import (
    changed_inputs,
    difference,
    type_name,
)
from judge.runner.harness.convert import second_call_arguments
from judge.verdicts import SubmissionFailed

__all__ = [
    "Mistake",
    "Mistakes",
    "Outcome",
    "Probe",
    "Proxy",
    "ReferenceFailed",
    "TestFailed",
    "expect",
    "expect_close",
    "expect_equal",
    "expect_inputs_unchanged",
    "expect_raises",
    "failure_hint",
    "points",
]


class TestFailed(AssertionError):
    """A check failed: the test's verdict is wrong_answer, with ``message`` and ``hint``."""

    __test__ = False  # not a pytest test class

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def points(n: float) -> Callable[[Callable], Callable]:
    """Give a test ``n`` points (tests without it share the rest of the problem's points)."""

    def mark(fn: Callable) -> Callable:
        setattr(fn, "points", float(n))  # read by judge.grading.load_tests  # noqa: B010
        return fn

    return mark


def expect_close(
    got: Any,
    want: Any,
    *,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    name: str = "result",
    mistakes: MistakeCheck | None = None,
) -> None:
    """Structure, then shape and dtype, then values within float32 tolerances."""
    message = difference(got, want, name, rtol, atol)
    if message is not None:
        hint = mistakes.diagnose(got, rtol, atol) if mistakes is not None else None
        raise TestFailed(message, hint)


def expect_equal(
    got: Any, want: Any, *, name: str = "result", mistakes: MistakeCheck | None = None
) -> None:
    """Exact equality (integers, index tensors, bools), structure first."""
    message = difference(got, want, name, 0.0, 0.0, exact=True)
    if message is not None:
        hint = mistakes.diagnose(got, 0.0, 0.0, exact=True) if mistakes is not None else None
        raise TestFailed(message, hint)


def expect(condition: Any, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` (and ``hint``) unless ``condition`` is true."""
    if not condition:
        raise TestFailed(message, hint)


def expect_raises(
    exc_type: type[BaseException] | tuple[type[BaseException], ...],
    fn: Callable[[], Any],
    *,
    name: str | None = None,
    hint: str | None = None,
) -> BaseException:
    """Pass when ``fn()`` raises ``exc_type`` (by name when it crossed from the child)."""
    types = exc_type if isinstance(exc_type, tuple) else (exc_type,)
    names = {t.__name__ for t in types}
    want = " or ".join(sorted(names))
    what = name or "the call"
    try:
        value = fn()
    except SubmissionFailed as failure:
        cause = failure.__cause__
        if isinstance(cause, types) or failure.exc_type in names:
            return failure
        if failure.exc_type is None:
            raise  # timed out, out of memory, ...: the test takes that verdict
        raise TestFailed(f"{what}: expected {want}, but {failure.message}", hint) from failure
    except ReferenceFailed as failure:
        if failure.failure.exc_type in names:
            return failure
        raise
    except types as exc:
        return exc
    raise TestFailed(f"{what}: expected {want}, but it returned {type_name(value)}", hint)


def expect_inputs_unchanged(
    proxy: Proxy,
    entry: str,
    *args: Any,
    mistakes: Mistakes | None = None,
    new_tensors: bool = False,
    reference: Proxy | None = None,
    fresh: Mapping[int | str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Call ``proxy.<entry>(*args, **kwargs)``; fail unless it left its inputs unchanged.

    Every tensor inside the arguments (state dicts, lists of them, modules' parameters and
    buffers) is compared, exactly, before and after the call, and the failure names the
    argument ("the call modified its input fishers[1]['w']"). ``new_tensors=True`` also
    fails when a returned tensor shares memory with an input, by the one aliasing rule
    (their bytes overlap: a view of part of an input aliases it): the contract returns a
    new state dict, so the caller may write into it.

    Both come from the child's account of the call. ``reference=solution`` adds a check the
    parent makes itself: the entry point is called a second time on the very same objects,
    as the first call left them (with ``fresh``'s values in the positions or keywords it
    names, e.g. ``{4: torch.Generator().manual_seed(9)}`` for a generator the contract lets
    the call advance), and both values must equal the reference's on the original inputs.
    A call that changed its inputs then gets a wrong second value, whatever it reported
    about them; a mutation that does not change the next answer (an idempotent one) is
    left to the first check. The hint is that of the known mistakes that change (or alias)
    the same tensors, or give the same second value. Returns the call's value.
    """
    probe = Probe("returned_aliases") if new_tensors else None
    twice = None if reference is None else dict(fresh or {})
    outcome = proxy.run(entry, *args, probe=probe, twice=twice, **kwargs)
    names = proxy.param_names(entry)
    changes = changed_inputs(args, kwargs, outcome.args, outcome.kwargs, names)
    aliases = list((outcome.probe or {}).get("aliases", [])) if new_tensors else []
    if changes or aliases:
        raise TestFailed(
            changed_message(entry, changes, aliases),
            matching_hint(mistakes, entry, args, kwargs, names, changes, aliases, probe),
        )
    if reference is not None:
        check_second_value(outcome, reference, entry, args, kwargs, twice or {}, mistakes)
    return outcome.value


def changed_message(entry: str, changes: Mapping[str, str], aliases: Sequence[str]) -> str:
    if changes:
        lines = list(changes.values())
        message = f"{entry}() modified its input {lines[0]}"
        if len(lines) > 1:
            message += f" (and {len(lines) - 1} more tensor(s))"
        return message + "; the contract says the inputs are not modified: work on copies"
    return (
        f"{entry}() returned {aliases[0]} sharing memory with an input: writing into the "
        "result would change the caller's tensors; return new tensors (clone)"
    )


def matching_hint(
    mistakes: Mistakes | None,
    entry: str,
    args: tuple,
    kwargs: dict,
    names: Sequence[str],
    changes: Mapping[str, str],
    aliases: Sequence[str],
    probe: Probe | None,
) -> str | None:
    """The hints of the mistakes that change (or alias) exactly the same tensors."""

    def same(theirs: Outcome) -> bool:
        their_changes = changed_inputs(args, kwargs, theirs.args, theirs.kwargs, names)
        their_aliases = (theirs.probe or {}).get("aliases", []) if probe is not None else []
        return set(their_changes) == set(changes) and bool(changes or their_aliases == aliases)

    if mistakes is None:
        return None
    return mistakes.hint_where(lambda m: m.run(entry, *args, probe=probe, **kwargs), same)


def check_second_value(
    outcome: Outcome,
    reference: Proxy,
    entry: str,
    args: tuple,
    kwargs: dict,
    twice: dict,
    mistakes: Mistakes | None,
) -> None:
    """Both values of a call made twice equal the reference's on the original inputs."""
    again, again_kw = second_call_arguments(args, kwargs, twice)
    want = reference.run(entry, *args, **kwargs).value
    hints = None if mistakes is None else mistakes.on(lambda m: m.run(entry, *args, **kwargs).value)
    expect_close(outcome.value, want, name=f"{entry}()", mistakes=hints)
    if twice:
        want = reference.run(entry, *again, **again_kw).value
    message = difference(outcome.second, want, f"{entry}() called again", 1e-4, 1e-5)
    if message is None:
        return
    hint = None  # a mistake matches when its own second value is the same
    if mistakes is not None:
        hint = mistakes.hint_where(
            lambda m: m.run(entry, *args, twice=twice, **kwargs).second,
            lambda theirs: difference(theirs, outcome.second, "", 1e-4, 1e-5) is None,
        )
    raise TestFailed(
        f"{message}. The second call was on the same arguments, as the first call left them: "
        "the first call changed its inputs (the contract says it must not: work on copies)",
        hint,
    )
