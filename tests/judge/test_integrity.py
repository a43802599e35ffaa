"""The harness's seal (``judge/runner/harness/integrity.py``), in this process: a rebinding of
what the probes compute with is reported by name, torch's own lazy changes are not, and a
checked call raises at once (graded end to end: tests/attacks/test_judge_side.py)."""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import torch
import torch.autograd

from judge.runner.harness import integrity


@contextmanager
def rebound(space: dict, name: str, value: object) -> Iterator[None]:
    """``space[name] = value`` for the block, put back after (present or not)."""
    missing = object()
    old = space.get(name, missing)
    space[name] = value
    try:
        yield
    finally:
        if old is missing:
            del space[name]
        else:
            space[name] = old


def test_nothing_changed_reports_nothing() -> None:
    assert integrity.seal()() == []


def test_a_rebound_torch_function_is_named() -> None:
    check = integrity.seal()
    forged = functools.wraps(torch.autograd.grad)(lambda *a, **k: None)  # claims to wrap it
    with rebound(vars(torch.autograd), "grad", forged):
        assert check() == ["torch.autograd.grad"]
    assert check() == []


def test_a_tensor_method_and_a_new_global_are_named() -> None:
    check = integrity.seal()
    assert "clone" not in vars(torch.Tensor)  # inherited from torch._C.TensorBase
    torch.Tensor.clone = lambda self, *a, **k: torch._C.TensorBase.clone(self, *a, **k)
    try:
        with rebound(vars(torch.autograd), "len", lambda x: 0):  # would shadow the builtin
            assert sorted(check()) == ["torch.Tensor.clone", "torch.autograd.len"]
    finally:
        del torch.Tensor.clone
    assert check() == []


def test_an_object_claiming_equality_is_still_a_change() -> None:
    class Equal:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    check = integrity.seal()
    with rebound(vars(torch), "equal", Equal()):
        assert check() == ["torch.equal"]


def test_extra_namespaces_and_free_names() -> None:
    holder = types.SimpleNamespace(module=None, arguments_after=print)
    check = integrity.seal(extra=[("Child", vars(holder))], free=("module",))
    holder.module = sys
    assert check() == []
    holder.arguments_after = repr
    assert check() == ["Child.arguments_after"]


def test_torch_own_lazy_changes_are_not_reported() -> None:
    check = integrity.seal()
    fresh = types.ModuleType("torch.autograd.not_yet_imported")
    with (
        rebound(vars(torch.autograd), "not_yet_imported", fresh),  # a submodule imported late
        rebound(vars(torch.autograd.profiler), "_cupti_monitor_checked", True),  # a cached flag
        rebound(vars(torch), "manual_seed", functools.wraps(torch.manual_seed)(lambda s: s)),
    ):
        assert check() == []
    with rebound(vars(torch), "manual_seed", lambda s: s):  # not a wrapper: a change
        assert check() == ["torch.manual_seed"]


def test_a_checked_call_raises_and_records_at_once() -> None:
    check = integrity.seal()
    seen: list[str] = []

    def patching() -> int:
        vars(torch.autograd)["grad"] = print
        return 1

    real = torch.autograd.grad
    try:
        with pytest.raises(integrity.Tampered, match=r"torch\.autograd\.grad"):
            integrity.checked(patching, check, seen.append)()
    finally:
        vars(torch.autograd)["grad"] = real
    assert len(seen) == 1 and "torch.autograd.grad" in seen[0]
    assert integrity.checked(lambda: 2, check, seen.append)() == 2


def test_registering_a_hook_is_not_a_change() -> None:
    """A hook's handle counts on its class (``RemovableHandle.next_id``): honest code (a
    forward hook to read features) must not look like tampering."""
    check = integrity.seal()
    layer = torch.nn.Linear(2, 2)
    handle = layer.register_forward_hook(lambda *args: None)
    handle.remove()
    assert check() == []


def test_default_dtype_and_a_warnings_registry_are_not_changes() -> None:
    """Sloppy but honest: ``set_default_dtype`` rebinds ``torch.Storage``; a warning with a
    stacklevel leaves ``__warningregistry__`` in the globals of the frame it is attributed to
    (a harness module's, when the harness called the warning code)."""
    space: dict = {"__name__": "harness.fake"}
    check = integrity.seal(extra=[("harness.fake", space)])
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        space["__warningregistry__"] = {"version": 1}
        assert check() == []
    finally:
        torch.set_default_dtype(before)
