"""InProcess: the sandbox's call API, run in the judge's own process.

For TRUSTED code only: a problem's solution, alternatives and known mistakes, and the
overhead benchmark's baseline. Results are converted with the same ``to_data`` as the
child's, and arguments are deep-copied first, so that the solution's results compare like
for like with the candidate's and the test's inputs are never changed by a call. Failures
are reported exactly as the sandbox reports them (:class:`SubmissionFailed`), so that a
known mistake run as the candidate gets the verdict it would get in the sandbox.
"""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import inspect
import itertools
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from judge.verdicts import JudgeError, SubmissionFailed, Verdict

_counter = itertools.count()


class Reply(NamedTuple):
    """What one call returns: all plain data (see ``judge.runner.harness.convert``)."""

    value: Any
    args_after: list
    kwargs_after: dict
    probe: Any = None
    second: Any = None
    """The value of a second call on the same argument objects, when the call asked ``twice``."""


def _failure(exc: BaseException, what: str) -> SubmissionFailed:
    name = type(exc).__name__
    failure = SubmissionFailed(
        Verdict.RUNTIME_ERROR,
        f"{what} raised {name}" + (f": {exc}" if str(exc) else ""),
        exc_type=name,
        detail="".join(traceback.format_exception(exc)),
    )
    failure.__cause__ = exc
    return failure


def _probe(name: str) -> Any:
    """The public probe ``harness.probes.<name>``; a missing one is the judge's error."""
    try:
        from judge.runner.harness import probes  # imports torch: only when a probe runs
    except ImportError as exc:
        raise JudgeError(f"judge.runner.harness.probes is not available: {exc}") from exc
    fn = getattr(probes, name, None)
    if name.startswith("_") or not callable(fn):
        raise JudgeError(f"no probe {name!r} in judge.runner.harness.probes")
    return fn


class InProcess:
    """Import ``module_path`` as a module and call its entry points, here and now."""

    level = "in-process"
    network = "allowed"

    def __init__(
        self, module_path: str | Path, entry_points: Sequence[str] = (), limits: Any = None
    ) -> None:
        self.path = Path(module_path)
        self.entry_points = tuple(entry_points)
        self.limits = limits  # accepted for API parity; nothing is enforced in-process
        self.module: ModuleType | None = None
        self.signatures: dict[str, str] = {}
        """Each entry point's ``str(inspect.signature(...))``, as the sandbox reports them."""

    def start(self) -> None:
        """Import the module; COMPILE_ERROR for a syntax error or a missing entry point."""
        if self.module is not None:
            return
        name = f"_judge_inprocess_{next(_counter)}_{self.path.stem.replace('-', '_')}"
        try:
            source = self.path.read_text(encoding="utf-8")
            code = compile(source, str(self.path), "exec")
        except SyntaxError as exc:
            raise SubmissionFailed(
                Verdict.COMPILE_ERROR,
                f"{self.path.name}:{exc.lineno}:{exc.offset}: syntax error: {exc.msg}",
                exc_type="SyntaxError",
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise SubmissionFailed(
                Verdict.COMPILE_ERROR,
                f"cannot read {self.path}: {exc}",
                exc_type=type(exc).__name__,
            ) from exc
        spec = importlib.machinery.ModuleSpec(name, None, origin=str(self.path))
        module = importlib.util.module_from_spec(spec)
        module.__file__ = str(self.path)
        sys.modules[name] = module
        try:
            exec(code, module.__dict__)
        except (Exception, SystemExit) as exc:
            sys.modules.pop(name, None)
            raise _failure(exc, f"importing {self.path.name}") from exc
        for entry in self.entry_points:
            if not callable(getattr(module, entry, None)):
                raise SubmissionFailed(
                    Verdict.COMPILE_ERROR,
                    f"{self.path.name} does not define the function {entry!r}",
                )
            try:
                self.signatures[entry] = str(inspect.signature(getattr(module, entry)))
            except (TypeError, ValueError):
                self.signatures[entry] = "(...)"
        self.module = module

    def call(
        self,
        entry: str,
        args: tuple,
        kwargs: dict,
        probe: tuple[str, tuple] | None = None,
        twice: dict | None = None,
    ) -> Reply:
        """Call ``entry(*args, **kwargs)`` on deep copies; convert everything to data.

        With one torch thread, as the sandbox's child runs: float reductions then add in the
        same order on both sides, whatever the machine's core count, so that the reference's
        value and the candidate's differ only by what the candidate computed."""
        import torch  # loaded by the reference's import already; not at the judge's start

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._call(entry, args, kwargs, probe, twice)
        finally:
            torch.set_num_threads(threads)

    def _call(
        self,
        entry: str,
        args: tuple,
        kwargs: dict,
        probe: tuple[str, tuple] | None,
        twice: dict | None,
    ) -> Reply:
        self.start()
        fn = getattr(self.module, entry, None)
        if (self.entry_points and entry not in self.entry_points) or not callable(fn):
            raise SubmissionFailed(
                Verdict.COMPILE_ERROR, f"{self.path.name} does not define the function {entry!r}"
            )
        if probe is not None:
            probe_args, probe_kwargs = copy.deepcopy((tuple(args), dict(kwargs)))
        args, kwargs = copy.deepcopy((tuple(args), dict(kwargs)))
        try:
            result = fn(*args, **kwargs)
        except (Exception, SystemExit) as exc:
            raise _failure(exc, f"{entry}()") from exc
        from judge.runner.harness import convert  # imports torch: only when a call happens

        try:
            value = convert.to_data(result)
        except convert.NotData as exc:
            raise SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{entry}() returned {exc}: not plain data"
            ) from exc
        args_after, kwargs_after = convert.arguments_after(args, kwargs)
        second = None
        if twice is not None:  # as the child does: the same objects, as the call left them
            again, again_kw = convert.second_call_arguments(args, kwargs, copy.deepcopy(twice))
            try:
                second = fn(*again, **again_kw)
            except (Exception, SystemExit) as exc:
                raise _failure(exc, f"{entry}() called again on the same arguments") from exc
        measured = None
        if probe is not None:
            probe_name, extra = probe
            measure = _probe(probe_name)
            try:
                # The probe drives its own call (on fresh copies of the arguments), so it
                # can make inputs require grad before the call, as it does in the child.
                measured = measure(fn, probe_args, probe_kwargs, *extra)
            except (Exception, SystemExit) as exc:
                raise _failure(exc, f"probe {probe_name} on {entry}()") from exc
        try:
            second = convert.to_data(second)
            measured = convert.to_data(measured)
        except convert.NotData as exc:
            raise SubmissionFailed(
                Verdict.RUNTIME_ERROR, f"{entry}() returned {exc}: not plain data"
            ) from exc
        return Reply(value, args_after, kwargs_after, measured, second)

    def close(self) -> None:
        self.module = None

    def __enter__(self) -> InProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
