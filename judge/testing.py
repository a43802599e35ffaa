"""The API problem tests use (docs/authoring.md, "Tests").

Tests are trusted code run in the judge's process. They call the submission through a
:class:`Proxy` over a runner (the sandbox for the candidate;
:class:`~judge.runner.inprocess.InProcess` for the solution and the known mistakes), compare
with :func:`expect_close` and friends, and fail with :class:`TestFailed`, which may carry the
hint of the known mistake the submission matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judge.compare import (
    changed_inputs,
    difference,
    type_name,
)
from judge.plainerrors import PLAIN_HINTS
from judge.problems import hint_from_source
from judge.runner.inprocess import InProcess
from judge.verdicts import JudgeError, SubmissionFailed

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
    "points",
]


class TestFailed(AssertionError):
    """A check failed: the test's verdict is wrong_answer, with ``message`` and ``hint``."""

    __test__ = False  # not a pytest test class

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ReferenceFailed(JudgeError):
    """The problem's own solution (or a test's use of it) failed: the judge's fault."""

    def __init__(self, failure: SubmissionFailed) -> None:
        super().__init__(f"the reference solution failed: {failure.message}")
        self.failure = failure


def points(n: float) -> Callable[[Callable], Callable]:
    """Give a test ``n`` points (tests without it share the rest of the problem's points)."""

    def mark(fn: Callable) -> Callable:
        setattr(fn, "points", float(n))  # read by judge.grading.load_tests  # noqa: B010
        return fn

    return mark


@dataclass(frozen=True)
class Probe:
    """Measure in the child: ``judge.runner.harness.probes.<name>(call, args, kwargs, *self.args)``.

    ``call`` is the submission's entry point; the probe calls it itself (on its own copy of
    the arguments, after the ordinary call), so it can make inputs require grad first.
    """

    name: str
    args: tuple = ()

    def __init__(self, name: str, *args: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", args)


@dataclass
class Outcome:
    """One call's result and the state of its arguments afterwards, all plain data."""

    value: Any
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    probe: Any = None
    second: Any = None
    """With ``run(..., twice=...)``: the value of a second call on the same argument objects."""


class Proxy:
    """``proxy.NAME(*args, **kwargs)`` calls entry point NAME through ``runner``.

    ``reference=True`` (the solution) turns a failure into :class:`ReferenceFailed`, so a
    broken reference is a judge error, never blamed on the candidate.
    """

    def __init__(
        self,
        runner: Any,
        *,
        reference: bool = False,
        params: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._runner = runner
        self._reference = reference
        self._params = dict(params or {})

    def param_names(self, name: str) -> tuple[str, ...]:
        """The contract's parameter names of entry point ``name`` (for messages), if known."""
        return tuple(self._params.get(name, ()))

    def run(
        self,
        name: str,
        *args: Any,
        probe: Probe | None = None,
        twice: Mapping[int | str, Any] | None = None,
        **kwargs: Any,
    ) -> Outcome:
        """Call ``name`` and return the :class:`Outcome` (value, args after, probe).

        ``twice`` (a mapping, maybe empty): call ``name`` a second time on the very same
        argument objects as the first call left them, with ``twice``'s values in the
        positions (int keys) or keywords (str keys) it names; ``Outcome.second`` is that
        value."""
        wire_probe = None if probe is None else (probe.name, tuple(probe.args))
        extra = {} if twice is None else {"twice": dict(twice)}
        try:
            reply = self._runner.call(name, tuple(args), dict(kwargs), wire_probe, **extra)
        except SubmissionFailed as failure:
            if self._reference:
                raise ReferenceFailed(failure) from failure
            failure.call = (name, args, kwargs)  # for failure_hint: replay it on the mistakes
            raise
        except JudgeError:
            raise
        except Exception as exc:  # the runner itself broke: never the submission's fault
            raise JudgeError(f"the runner failed: {type(exc).__name__}: {exc}") from exc
        return Outcome(
            reply.value,
            list(reply.args_after),
            dict(reply.kwargs_after),
            reply.probe,
            reply.second if twice is not None else None,
        )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(name, *args, **kwargs).value

        call.__name__ = name
        return call


# -- mistakes ---------------------------------------------------------------------------
def mistake_hint(path: Path) -> str:
    """The first paragraph of a mistake's docstring (or a quiz mistake's leading comment)."""
    return hint_from_source(Path(path).read_text(encoding="utf-8"), Path(path).suffix)


class Mistake:
    """One known mistake: its stem, hint, and a proxy calling it in-process."""

    def __init__(self, path: Path, entry_points: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self.stem = self.path.stem
        self.hint = mistake_hint(self.path)
        self._entry_points = tuple(entry_points)
        self._proxy: Proxy | None = None

    @property
    def proxy(self) -> Proxy:
        if self._proxy is None:
            self._proxy = Proxy(InProcess(self.path, self._entry_points))
        return self._proxy

    def run(
        self,
        name: str,
        *args: Any,
        probe: Probe | None = None,
        twice: Mapping[int | str, Any] | None = None,
        **kwargs: Any,
    ) -> Outcome:
        return self.proxy.run(name, *args, probe=probe, twice=twice, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.proxy, name)

    def __repr__(self) -> str:
        return f"Mistake({self.stem!r})"


@dataclass
class MistakeCheck:
    """``mistakes.on(fn)``: evaluate ``fn(m)`` for each mistake when a check fails."""

    mistakes: Mistakes
    fn: Callable[[Mistake], Any]

    def diagnose(self, got: Any, rtol: float, atol: float, exact: bool = False) -> str | None:
        """The hint of the mistake whose output matches ``got``, or None.

        When several known mistakes give this same output, the hint names each of them
        (their outputs cannot be told apart on these inputs, so the candidate sees all)."""
        matched = []
        for mistake in self.mistakes:
            try:
                output = self.fn(mistake)
            except (Exception, SubmissionFailed):
                continue  # a mistake that fails on these inputs cannot match a value
            if difference(output, got, "", rtol, atol, exact) is None:
                matched.append(mistake.hint)
        return combined_hint(matched)


def combined_hint(hints: Sequence[str], what: str = "output") -> str | None:
    """One hint, or several (deduplicated) when more than one known mistake matched."""
    unique = list(dict.fromkeys(h for h in hints if h))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    listed = "\n".join(f"- {h}" for h in unique)
    return f"On these inputs this {what} matches {len(unique)} known mistakes:\n{listed}"


class Mistakes:
    """The known mistakes of a problem (``mistakes/*.py``), for hints."""

    def __init__(self, paths: Sequence[Path] = (), entry_points: Sequence[str] = ()) -> None:
        self._items = [Mistake(p, entry_points) for p in paths]

    def __iter__(self) -> Iterator[Mistake]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def on(self, fn: Callable[[Mistake], Any]) -> MistakeCheck:
        """For ``expect_close(..., mistakes=mistakes.on(lambda m: m.NAME(...)))``."""
        return MistakeCheck(self, fn)

    def hint(self, stem: str) -> str:
        """The hint of ``mistakes/<stem>.py``; a typo in a test is the judge's error."""
        for mistake in self._items:
            if mistake.stem == stem:
                return mistake.hint
        raise JudgeError(f"no known mistake {stem!r}; have {[m.stem for m in self._items]}")


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
    matched = []
    for mistake in mistakes or ():
        try:
            theirs = mistake.run(entry, *args, probe=probe, **kwargs)
        except (Exception, SubmissionFailed):
            continue
        their_changes = changed_inputs(args, kwargs, theirs.args, theirs.kwargs, names)
        their_aliases = (theirs.probe or {}).get("aliases", []) if probe is not None else []
        if set(their_changes) == set(changes) and (changes or their_aliases == aliases):
            matched.append(mistake.hint)
    return combined_hint(matched)


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
    again = list(args)
    again_kw = dict(kwargs)
    for key, value in twice.items():
        if isinstance(key, int):
            again[key] = value
        else:
            again_kw[key] = value
    want = reference.run(entry, *args, **kwargs).value
    hints = None if mistakes is None else mistakes.on(lambda m: m.run(entry, *args, **kwargs).value)
    expect_close(outcome.value, want, name=f"{entry}()", mistakes=hints)
    if twice:
        want = reference.run(entry, *again, **again_kw).value
    message = difference(outcome.second, want, f"{entry}() called again", 1e-4, 1e-5)
    if message is None:
        return
    matched = []  # a mistake matches when its own second value is the same
    for mistake in mistakes or ():
        try:
            theirs = mistake.run(entry, *args, twice=twice, **kwargs).second
        except (Exception, SubmissionFailed):
            continue
        if difference(theirs, outcome.second, "", 1e-4, 1e-5) is None:
            matched.append(mistake.hint)
    raise TestFailed(
        f"{message}. The second call was on the same arguments, as the first call left them: "
        "the first call changed its inputs (the contract says it must not: work on copies)",
        combined_hint(matched),
    )


def failure_hint(failure: SubmissionFailed, mistakes: Mistakes | None = None) -> str | None:
    """A hint for a call that raised: the known mistakes that raise the same error on the
    same call, else the plain-words reading of a common PyTorch error, else None."""
    if failure.exc_type is None:
        return None  # timed out, out of memory, ...: nothing to explain by content
    call = getattr(failure, "call", None)
    matched = []
    if call is not None:
        name, args, kwargs = call
        for mistake in mistakes or ():
            try:
                mistake.run(name, *args, **kwargs)
            except SubmissionFailed as theirs:
                if theirs.exc_type == failure.exc_type and theirs.message == failure.message:
                    matched.append(mistake.hint)
            except Exception:
                continue
    hint = combined_hint(matched, "error")
    if hint is not None:
        return hint
    for pattern, plain in PLAIN_HINTS:
        if re.search(pattern, failure.message):
            return plain
    return None
