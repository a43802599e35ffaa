"""The seal: notice when a submission changed what the harness computes with.

Probes and "the arguments after the call" are computed in the child, in the submission's
interpreter, with torch's functions and the harness's own. A submission can rebind those
names (``torch.autograd.grad = forged``, a Tensor method, a global of the probe module
reached through a frame's ``f_globals``, the Child's own attributes through ``f_locals``),
and honest code never does. :func:`seal`, called before the submission is imported, records
*which object* every watched name points to: the namespaces of torch's modules the probes
and conversions run through (autograd, ``torch.nn``, tensors, ``torch.func``), their classes,
``builtins``, the harness's modules, and the Child (its instance and class). The checker it
returns compares identities (never ``==``: a forged object can claim equality), and the
harness calls it after every call of the submission and before each reply is sent: any
change is ``forbidden``.

It is a tripwire, not a wall. A name changed and put back between two checks by code that
torch runs later (a tensor hook during the probe's backward pass, a finaliser, a signal
handler) is not seen, nor is a mutable object the harness holds changed in place through a
frame's ``f_locals``. Memory written directly (ctypes and ``/proc/<pid>/mem``, refused by the
guard; numpy's ``__array_interface__``, which nothing audits) can rewrite anything, this
record included; the code objects of the harness's and autograd's functions are watched too,
which stops the simplest such forgery (a function keeping its identity with another code).
The checker binds what it uses as default arguments, which the guard forbids replacing; the
wrapper of :func:`checked` holds its references in a closure, which it does not.
"""

from __future__ import annotations

import builtins
import itertools
import operator
import sys
import types
from collections.abc import Callable, Iterable, Mapping

WATCHED = (
    "torch.autograd", "torch.nn", "torch._tensor", "torch.func", "torch._functorch",
    "torch.overrides", "torch.serialization", "torch._utils", "torch.utils.hooks",
    "torch.utils._python_dispatch",
)  # fmt: skip
"""Prefixes of torch's modules the probes and conversions run through (``torch`` itself,
``builtins`` and the harness's modules are always watched)."""


CODE_WATCHED = frozenset({"torch.autograd", "torch.autograd.graph", "torch.Tensor"})
"""Besides the harness's, the namespaces whose functions' code objects are watched too (a
code pointer written in memory keeps the function's identity)."""


class Tampered(PermissionError):
    """The submission changed something the harness computes with."""


def _module_spaces(name: str, module: types.ModuleType) -> list[tuple[str, Mapping]]:
    """A module's namespace and those of the classes it defines."""
    spaces: list[tuple[str, Mapping]] = [(name, vars(module))]
    for key, value in list(vars(module).items()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            spaces.append((f"{name}.{key}", value.__dict__))
    return spaces


def _namespaces(
    modules: Iterable[types.ModuleType], extra: Iterable[tuple[str, Mapping]]
) -> list[tuple[str, Mapping]]:
    spaces: list[tuple[str, Mapping]] = [("builtins", vars(builtins))]
    for name, module in list(sys.modules.items()):
        if isinstance(module, types.ModuleType) and (name == "torch" or name.startswith(WATCHED)):
            spaces.extend(_module_spaces(name, module))
    for module in modules:
        spaces.extend(_module_spaces(module.__name__, module))
    spaces.extend(extra)
    return spaces


ALWAYS_FREE = frozenset({"__warningregistry__"})
"""Names that may change anywhere: ``warnings`` keeps its registry in the globals of the frame
a warning is attributed to, a harness module's when the submission warns with a stacklevel."""
REBOUND_BY_TORCH = frozenset({"torch.manual_seed"})
"""Names torch itself rebinds, lazily, to a wrapper of what they were (importing
``torch._dynamo``, which ``torch.func.grad`` does on first use, wraps ``manual_seed``)."""


def _torch_own(name: str, old: object, new: object) -> bool:
    """Whether a change of torch's is one torch makes itself: a flag, a counter or an optional
    module cached on first use (``None``, a bool or an int becoming one of those or a module:
    ``RemovableHandle.next_id`` counts hooks), ``torch.Storage`` following the default dtype,
    or a known rebinding to a wrapper of the same function. Never for the harness's names."""
    if not name.startswith("torch"):
        return False
    plain = (type(None), bool, int)
    if type(old) in plain and (type(new) in plain or isinstance(new, types.ModuleType)):
        return True
    if name == "torch.Storage":  # set_default_dtype rebinds it to that dtype's storage class
        return isinstance(new, type) and new.__module__ == "torch" and "Storage" in new.__name__
    return name in REBOUND_BY_TORCH and getattr(new, "__wrapped__", None) is old


def _changes(label: str, space: Mapping, keys: tuple, values: tuple, free: frozenset) -> list[str]:
    """The slow path, once the fast comparison failed: which names changed. A new name is
    allowed only for a submodule imported later (``torch.autograd.forward_ad``) and for the
    cache pickling adds to a class (``__slotnames__``)."""
    found = []
    free = free | ALWAYS_FREE
    for key, old in zip(keys, values, strict=True):
        if key in free or (key in space and space[key] is old):
            continue
        if key in space and _torch_own(f"{label}.{key}", old, space[key]):
            continue
        found.append(f"{label}.{key}")
    known = set(keys)
    for key, value in list(space.items()):
        if key in known or key in free:
            continue
        if isinstance(value, types.ModuleType) and value.__name__ == f"{label}.{key}":
            continue
        if key == "__slotnames__" and type(value) is list:  # copyreg's cache, on first pickling
            continue
        found.append(f"{label}.{key}")
    return found


def seal(
    modules: Iterable[types.ModuleType] = (),
    extra: Iterable[tuple[str, Mapping]] = (),
    free: Iterable[str] = (),
) -> Callable[[], list[str]]:
    """Record the watched namespaces now; return a checker listing what changed since.

    ``modules`` adds modules and their classes (the harness's, which have left
    ``sys.modules``), ``extra`` adds ``(label, namespace)`` pairs (the Child's ``__dict__``);
    names in ``free`` may change in any namespace (``module``: the Child stores the
    submission there once it is imported).
    """
    spaces = _namespaces(modules, extra)
    record = tuple((space, tuple(space.keys()), tuple(space.values())) for _, space in spaces)
    labels = tuple(label for label, _ in spaces)
    namespaces = tuple(space for _, space in spaces)
    everything = tuple(itertools.chain.from_iterable(values for _, _, values in record))
    functions = tuple(
        value
        for label, space in spaces
        if label.startswith(("harness", "Child")) or label in CODE_WATCHED
        for value in list(space.values())
        if isinstance(value, types.FunctionType)
    )
    codes = tuple(fn.__code__ for fn in functions)

    def check(
        _record=record, _labels=labels, _free=frozenset(free), _namespaces=namespaces,
        _everything=everything, _tuple=tuple, _len=len, _all=all, _map=map, _is=operator.is_,
        _zip=zip, _chain=itertools.chain.from_iterable, _values=operator.methodcaller("values"),
        _changes=_changes, _functions=functions, _codes=codes,
        _code=operator.attrgetter("__code__"),
    ) -> list[str]:  # fmt: skip
        now = _tuple(_chain(_map(_values, _namespaces)))  # one pass, all in C
        same_code = _all(_map(_is, _map(_code, _functions), _codes))
        if same_code and _len(now) == _len(_everything) and _all(_map(_is, now, _everything)):
            return []
        found: list[str] = [
            f"{fn.__module__}.{fn.__qualname__}.__code__"
            for fn, code in _zip(_functions, _codes)
            if fn.__code__ is not code
        ]
        for (space, keys, values), label in _zip(_record, _labels):
            now = _tuple(space.values())
            if _len(now) != _len(values) or not _all(_map(_is, now, values)):
                found.extend(_changes(label, space, keys, values, _free))
        return found

    return check


def checked(
    call: Callable, check: Callable[[], list[str]], record: Callable[[str], None]
) -> Callable:
    """``call`` followed by ``check``: a change is recorded (``record``: the guard's list of
    violations) and raises :class:`Tampered` at once, before the harness uses what may have
    been replaced (and perhaps put back before a later check)."""

    def run(*args: object, **kwargs: object) -> object:
        result = call(*args, **kwargs)
        changed = check()
        if changed:
            record(describe(changed))
            raise Tampered(describe(changed))
        return result

    return run


def describe(changed: list[str]) -> str:
    """The violation's message (a few names, bounded)."""
    shown = ", ".join(name[:120] for name in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"the submission changed {shown}{more}, which the judge's harness relies on"
