"""Calling the runners from tests: :class:`Proxy` (the candidate behind the sandbox, the
reference in-process), what one call gives back (:class:`Outcome`), probes, and the known
mistakes (:class:`Mistakes`) that turn a failure into a hint.

Split from :mod:`judge.testing`, which re-exports these names: problem tests import them
from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judge.compare import difference
from judge.plainerrors import PLAIN_HINTS
from judge.problems import hint_from_source
from judge.runner.inprocess import InProcess
from judge.verdicts import JudgeError, SubmissionFailed

__all__ = [
    "Mistake",
    "MistakeCheck",
    "Mistakes",
    "Outcome",
    "Probe",
    "Proxy",
    "ReferenceFailed",
    "combined_hint",
    "failure_hint",
    "mistake_hint",
]


class ReferenceFailed(JudgeError):
    """The problem's own solution (or a test's use of it) failed: the judge's fault."""

    def __init__(self, failure: SubmissionFailed) -> None:
        super().__init__(f"the reference solution failed: {failure.message}")
        self.failure = failure


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
        return self.mistakes.hint_where(
            self.fn, lambda output: difference(output, got, "", rtol, atol, exact) is None
        )


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

    def hint_where(
        self, outcome: Callable[[Mistake], Any], matches: Callable[[Any], bool]
    ) -> str | None:
        """The hints of the mistakes whose ``outcome(m)`` ``matches`` what the candidate did
        (all of them, combined, when several do). A mistake that fails where ``outcome``
        runs it cannot match a value: it is skipped."""
        matched = []
        for mistake in self._items:
            try:
                theirs = outcome(mistake)
            except (Exception, SubmissionFailed):
                continue
            if matches(theirs):
                matched.append(mistake.hint)
        return combined_hint(matched)

    def hint(self, stem: str) -> str:
        """The hint of ``mistakes/<stem>.py``; a typo in a test is the judge's error."""
        for mistake in self._items:
            if mistake.stem == stem:
                return mistake.hint
        raise JudgeError(f"no known mistake {stem!r}; have {[m.stem for m in self._items]}")


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
