"""How two values differ, in words a candidate can act on.

:func:`difference` compares what a submission returned with what was expected (tensors,
numbers, containers, with tolerances) and says where they first differ: enough digits to show
the difference, a note when the error is at float32's precision, and never the expected value
of a hidden test (only :func:`revealing_expected`, which the grader turns on for the public
tests, shows it); :func:`changed_inputs` says which tensors inside a call's arguments changed.
The test API in :mod:`judge.testing` builds its checks on both.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator, Sequence
from typing import Any

import torch

__all__ = [
    "changed_inputs",
    "difference",
    "flat_index",
    "fmt_pair",
    "revealing_expected",
    "short",
    "type_name",
]


def type_name(value: Any) -> str:
    return "Tensor" if isinstance(value, torch.Tensor) else type(value).__name__


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else f"{text[:200]} ..."


def _fmt(x: float) -> str:
    return f"{x:.6g}"


_REVEAL_EXPECTED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reveal_expected", default=False
)


@contextlib.contextmanager
def revealing_expected(on: bool) -> Iterator[None]:
    """Within it, messages show the expected value beside the one got. The grader turns it on
    for the public tests only: a hidden test's expected values never reach the candidate, so
    a table harvested from one grade's messages cannot pass the next."""
    token = _REVEAL_EXPECTED.set(on)
    try:
        yield
    finally:
        _REVEAL_EXPECTED.reset(token)


def _got_want(got: float, want: float) -> str:
    shown_got, shown_want = fmt_pair(got, want)
    return f"got {shown_got}, want {shown_want}" if _REVEAL_EXPECTED.get() else f"got {shown_got}"


def fmt_pair(got: float, want: float) -> tuple[str, str]:
    """``got`` and ``want`` with enough digits (6 to 17) that they print differently."""
    for digits in range(6, 18):
        g, w = f"{got:.{digits}g}", f"{want:.{digits}g}"
        if g != w:
            return g, w
    return repr(got), repr(want)


# float32's unit roundoff: a float64 result off by about this much went through float32.
_FLOAT32_ROUNDOFF = 2.0**-24
_LOOSEST = {torch.float16: (1e-3, 1e-3), torch.bfloat16: (8e-3, 8e-3)}


def _precision_note(rel: float, want_dtype: torch.dtype) -> str:
    """Say when a float64 result's error has the size of float32 rounding.

    Only float32 is named: an error the size of float16's or bfloat16's rounding (1e-3,
    1e-2) is as likely a real mistake (a 127 for a 128) as a precision loss."""
    if want_dtype != torch.float64 or not math.isfinite(rel):
        return ""
    if _FLOAT32_ROUNDOFF / 4 <= rel <= _FLOAT32_ROUNDOFF * 16:
        return " (an error at float32's precision: float32 arithmetic somewhere?)"
    return ""


def flat_index(flat: int, shape: Sequence[int]) -> list[int]:
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat //= size
    return list(reversed(index))


def _unequal(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Where two tensors of one shape differ exactly, flattened (NaN equals NaN)."""
    bad = (a != b).flatten()
    if b.is_floating_point():
        bad &= ~(a.isnan() & b.isnan()).flatten()
    return bad


def tensor_difference(got, want, where, rtol, atol, exact) -> str | None:
    if tuple(got.shape) != tuple(want.shape):
        return f"{where}: shape {tuple(got.shape)}, want {tuple(want.shape)}"
    if got.dtype != want.dtype:
        return f"{where}: dtype {got.dtype}, want {want.dtype}"
    if got.numel() == 0:
        return None
    if exact or not (want.is_floating_point() or want.is_complex()):
        bad = _unequal(got, want)
        if not bad.any():
            return None
        flat = int(bad.nonzero()[0])
        g = got.flatten()[flat].item()
        count = int(bad.sum())
        return (  # never the expected value: a table of them would pass the next grade
            f"{where}: {count} of {want.numel()} entries differ, first at "
            f"{flat_index(flat, want.shape)} (got {g})"
        )
    if (rtol or atol) and want.dtype in _LOOSEST:  # half precision: its own rounding is larger
        rtol, atol = max(rtol, _LOOSEST[want.dtype][0]), max(atol, _LOOSEST[want.dtype][1])
    g64 = got.detach().to(torch.complex128 if want.is_complex() else torch.float64).flatten()
    w64 = want.detach().to(g64.dtype).flatten()
    err = (g64 - w64).abs()
    allowed = atol + rtol * w64.abs()
    both_nan = g64.isnan() & w64.isnan()
    same_inf = g64.isinf() & (g64 == w64)
    finite = g64.isfinite() & w64.isfinite()
    bad = ~(((err <= allowed) & finite) | both_nan | same_inf)
    if not bad.any():
        return None
    err = torch.where(bad, err.nan_to_num(nan=math.inf), torch.zeros_like(err))
    flat = int(err.argmax())
    abs_err = (g64[flat] - w64[flat]).abs().item()
    rel = abs_err / abs(w64[flat].item()) if w64[flat].item() != 0 else math.inf
    return (
        f"{where}: max abs error {abs_err:.2g} at {flat_index(flat, want.shape)} "
        f"({_got_want(got.flatten()[flat].item(), want.flatten()[flat].item())}), "
        f"rel error {rel:.2g}; {int(bad.sum())} of {want.numel()} entries outside "
        f"rtol {rtol:g}, atol {atol:g}" + _precision_note(rel, want.dtype)
    )


def difference(got, want, where, rtol, atol, exact=False) -> str | None:
    """A description of the first difference between ``got`` and ``want``, or None."""
    where = where or "result"
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"{where}: got a {type_name(got)}, want a Tensor"
        return tensor_difference(got, want, where, rtol, atol, exact)
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where}: got a {type_name(got)}, want a dict"
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        if missing or extra:
            parts = [
                f"missing keys {missing}" if missing else "",
                f"extra keys {extra}" if extra else "",
            ]
            return f"{where}: " + "; ".join(p for p in parts if p)
        for key in want:
            found = difference(got[key], want[key], f"{where}[{key!r}]", rtol, atol, exact)
            if found:
                return found
        return None
    if isinstance(want, list | tuple):
        if not isinstance(got, list | tuple):
            return f"{where}: got a {type_name(got)}, want a {type(want).__name__}"
        if len(got) != len(want):
            return f"{where}: length {len(got)}, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found = difference(g, w, f"{where}[{i}]", rtol, atol, exact)
            if found:
                return found
        return None
    if isinstance(want, bool) or want is None:
        if type(got) is not type(want) or got != want:
            return f"{where}: got {got!r}, want {want!r}"
        return None
    if isinstance(want, str):
        if type(got) is not str or got != want:
            return f"{where}: got {short(got)}, not the expected text"
        return None
    if isinstance(want, int | float):
        if isinstance(got, bool) or not isinstance(got, int | float):
            return f"{where}: got a {type_name(got)}, want a number"
        if exact or (isinstance(want, int) and isinstance(got, int)):
            return None if got == want else f"{where}: got {got!r}, not the expected value"
        if (math.isnan(want) and math.isnan(got)) or got == want:
            return None
        if (
            math.isfinite(got)
            and math.isfinite(want)
            and abs(got - want) <= atol + rtol * abs(want)
        ):
            return None
        rel = abs(got - want) / abs(want) if want else math.inf
        return (
            f"{where}: {_got_want(got, want)} (abs error {abs(got - want):.2g}, "
            f"rtol {rtol:g}, atol {atol:g})" + _precision_note(rel, torch.float64)
        )
    return None if got == want else f"{where}: got {short(got)}, not the expected value"


# -- inputs that must not change ----------------------------------------------------------
def _leaves(value: Any, path: str, depth: int = 0) -> dict[str, Any]:
    """Every tensor inside ``value`` by path; a module as its state dict."""
    if depth > 32:
        return {}
    if isinstance(value, torch.Tensor):
        return {path: value}
    if isinstance(value, torch.nn.Module):
        value = dict(value.state_dict())
    if type(value) in (list, tuple):
        found: dict[str, Any] = {}
        for i, v in enumerate(value):
            found.update(_leaves(v, f"{path}[{i}]", depth + 1))
        return found
    if type(value) is dict:
        found = {}
        for k, v in value.items():
            found.update(_leaves(v, f"{path}[{k!r}]", depth + 1))
        return found
    return {}


def _arg_names(names: Sequence[str], args: Sequence, kwargs: dict) -> list[tuple[str, Any]]:
    named = [(names[i] if i < len(names) else f"argument {i + 1}", a) for i, a in enumerate(args)]
    return named + list(kwargs.items())


def _change(old: torch.Tensor, new: Any, path: str) -> str | None:
    """How tensor ``old`` became ``new`` ("was 1.0, now 2.0"), or None if it did not change."""
    if not isinstance(new, torch.Tensor):
        return f"{path} was replaced by a {type_name(new)}"
    if tuple(new.shape) != tuple(old.shape) or new.dtype != old.dtype:
        return (
            f"{path} changed from {tuple(old.shape)} {old.dtype} to {tuple(new.shape)} {new.dtype}"
        )
    bad = _unequal(new, old)
    if not bad.any():
        return None
    flat = int(bad.nonzero()[0])
    was_value, now_value = old.flatten()[flat].item(), new.flatten()[flat].item()
    was, now = str(was_value), str(now_value)
    if isinstance(was_value, float):
        was, now = fmt_pair(was_value, float(now_value))
    return (
        f"{path}: {int(bad.sum())} of {old.numel()} entries changed, first at "
        f"{flat_index(flat, old.shape)} (was {was}, now {now})"
    )


def changed_inputs(
    args: Sequence,
    kwargs: dict,
    args_after: Sequence,
    kwargs_after: dict,
    names: Sequence[str] = (),
) -> dict[str, str]:
    """What changed in a call's tensor arguments (nested ones too): path -> how.

    ``args``/``kwargs`` are the caller's own objects, untouched (the call worked on copies);
    ``args_after``/``kwargs_after`` their state after the call; ``names`` the parameters'.
    """
    before = _arg_names(names, args, kwargs)
    after = _arg_names(names, args_after, kwargs_after)
    changes = {}
    for (name, old), (_, new) in zip(before, after, strict=False):
        old_leaves, new_leaves = _leaves(old, name), _leaves(new, name)
        for path, t in old_leaves.items():
            if path not in new_leaves:
                changes[path] = f"{path} was removed or replaced"
                continue
            found = _change(t, new_leaves[path], path)
            if found:
                changes[path] = found
        changes.update({p: f"{p} was added" for p in new_leaves if p not in old_leaves})
    return changes
