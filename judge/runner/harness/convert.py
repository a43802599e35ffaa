"""Turn what a submission returns into plain data the judge may accept.

This module runs on both sides of the trust boundary: in the child, where it converts the
submission's results before they are sent, and in the judge, where the solution's and the
known mistakes' results are converted the same way so that they compare like for like.
It imports nothing but torch and the standard library, because the child may not import
the rest of the judge.

Plain data is: a plain ``torch.Tensor`` (detached, contiguous, not a subclass), ``None``,
``bool``, ``int``, ``float``, ``str``, and lists, tuples and ``str``-keyed dicts of plain
data. An ``nn.Module`` becomes its ``state_dict()``. Anything else is refused, so that no
object with behaviour of its own (an ``__eq__`` that is always true, a tensor subclass
with a custom ``__torch_function__``) can cross the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

MAX_DEPTH = 32


class NotData(TypeError):
    """The value is not plain data (and cannot be converted into it)."""


def plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """A detached, contiguous copy of ``t`` whose class is exactly ``torch.Tensor``."""
    with torch.no_grad(), torch._C.DisableTorchFunctionSubclass():
        data = torch.Tensor._make_subclass(torch.Tensor, t.detach(), False)
        return data.clone(memory_format=torch.contiguous_format)


def to_data(value: Any, *, _depth: int = 0) -> Any:
    """Convert ``value`` to plain data, or raise :class:`NotData` saying what was found."""
    if _depth > MAX_DEPTH:
        raise NotData(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, torch.Tensor):
        if value.is_sparse or value.layout != torch.strided:
            raise NotData(f"a tensor with layout {value.layout}; return a dense tensor")
        return plain_tensor(value)
    if isinstance(value, nn.Module):
        return {name: plain_tensor(t) for name, t in value.state_dict().items()}
    if kind in (list, tuple):
        items = [to_data(v, _depth=_depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        out = {}
        for key, v in value.items():
            if type(key) is not str:
                raise NotData(f"a dict key of type {type(key).__name__}; keys must be str")
            out[key] = to_data(v, _depth=_depth + 1)
        return out
    raise NotData(f"a value of type {kind.__module__}.{kind.__qualname__}")


def arguments_after(args: tuple, kwargs: dict) -> tuple[list, dict]:
    """The state of the call's arguments after the call, for in-place contracts.

    Each ``nn.Module`` argument becomes its state_dict and each tensor its value; lists,
    tuples and ``str``-keyed dicts are followed (a state dict, a list of state dicts), so
    that a change anywhere inside an argument shows. Anything else becomes ``None`` (it
    cannot be mutated in a way the judge checks).
    """

    def state(v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return None
        if isinstance(v, nn.Module):
            return to_data(v)
        if isinstance(v, torch.Tensor):
            return plain_tensor(v)
        if type(v) in (list, tuple):
            items = [state(x, depth + 1) for x in v]
            return items if type(v) is list else tuple(items)
        if type(v) is dict:
            return {k: state(x, depth + 1) for k, x in v.items() if type(k) is str}
        return None

    return [state(a) for a in args], {k: state(v) for k, v in kwargs.items()}


def second_call_arguments(args: Sequence, kwargs: dict, twice: dict) -> tuple[list, dict]:
    """The arguments of a call made twice (``twice``): the very same objects, as the first call
    left them, except the positions (int keys) and keywords (str keys) ``twice`` gives fresh
    values for (e.g. a generator the contract lets the call use up). Other keys are ignored."""
    again, again_kw = list(args), dict(kwargs)
    for key, fresh in twice.items():
        if type(key) is int and 0 <= key < len(again):
            again[key] = fresh
        elif type(key) is str:
            again_kw[key] = fresh
    return again, again_kw
