"""Public probes: measure, beside the submission, what needs its live result.

A probe is ``probe(call, args, kwargs, *probe_args) -> dict`` where ``call`` is the
submission's entry point: the probe prepares the inputs (e.g. makes them require grad),
calls ``call(*args, **kwargs)`` itself and returns plain data only (tensors, numbers,
str-keyed dicts). The same functions run in the child for the candidate and in the judge's
process for the solution and the known mistakes, so they must be pure functions of their
arguments. They run beside untrusted code: they import nothing from the judge and
everything they return passes through ``to_data``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from .convert import to_data

__all__ = [
    "arg_grads",
    "input_grads",
    "meta_sgd_grads",
    "module_steps",
    "query_grad",
    "result_grads",
    "returned_aliases",
    "stale_grads",
]


def _find_model(args: tuple, kwargs: dict) -> nn.Module:
    found = kwargs.get("model", next((a for a in args if isinstance(a, nn.Module)), None))
    if not isinstance(found, nn.Module):
        raise TypeError("the probe needs an nn.Module argument (the model)")
    return found


def _grads(loss: torch.Tensor, named: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """d loss / d each tensor of ``named``; zeros where the loss does not depend on it."""
    names = list(named)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return {n: torch.zeros_like(named[n]) for n in names}
    got = torch.autograd.grad(loss, [named[n] for n in names], allow_unused=True)
    return {
        n: (torch.zeros_like(named[n]) if g is None else g.detach())
        for n, g in zip(names, got, strict=True)
    }


def _query_loss(
    model: nn.Module, result: Any, x_q: torch.Tensor, y_q: torch.Tensor, loss_fn: Callable
) -> torch.Tensor:
    """The query loss at the adapted parameters ``result`` (a name -> tensor dict or a model)."""
    if isinstance(result, nn.Module):
        out = result(x_q)
    elif isinstance(result, Mapping):
        out = torch.func.functional_call(model, dict(result), (x_q,))
    else:
        raise TypeError(f"expected adapted parameters (a dict), got {type(result).__name__}")
    loss = loss_fn(out, y_q)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise TypeError("the query loss is not a scalar tensor")
    return loss.reshape(())


def query_grad(
    call: Callable,
    args: tuple,
    kwargs: dict,
    x_q: torch.Tensor,
    y_q: torch.Tensor,
    loss_fn: Callable,
) -> dict[str, Any]:
    """The meta-gradient through ``adapt``: d loss_fn(f(x_q; adapted), y_q) / d θ.

    Zeros for parameters the query loss does not reach (e.g. everything, when the returned
    parameters were detached).
    """
    model = _find_model(args, kwargs)
    params = dict(model.named_parameters())
    result = call(*args, **kwargs)
    loss = _query_loss(model, result, x_q, y_q, loss_fn)
    return {"value": to_data(result), "loss": loss.detach(), "grads": _grads(loss, params)}


def meta_sgd_grads(
    call: Callable,
    args: tuple,
    kwargs: dict,
    x_q: torch.Tensor,
    y_q: torch.Tensor,
    loss_fn: Callable,
) -> dict[str, Any]:
    """As :func:`query_grad`, plus the gradient w.r.t. the per-parameter learning rates.

    The rates are the ``lrs`` keyword or the first dict-of-tensors positional argument; they
    are made to require grad before the call.
    """
    model = _find_model(args, kwargs)
    lrs = kwargs.get("lrs")
    if lrs is None:
        lrs = next((a for a in args if isinstance(a, dict)), None)
    if not isinstance(lrs, dict) or not all(isinstance(v, torch.Tensor) for v in lrs.values()):
        raise TypeError("the probe needs the learning rates: a dict of tensors")
    for rate in lrs.values():
        if rate.is_floating_point() and rate.is_leaf:
            rate.requires_grad_(True)
    params = dict(model.named_parameters())
    result = call(*args, **kwargs)
    loss = _query_loss(model, result, x_q, y_q, loss_fn)
    grads = _grads(loss, {**{f"param:{k}": v for k, v in params.items()},
                          **{f"lr:{k}": v for k, v in lrs.items()}})  # fmt: skip
    return {
        "value": to_data(result),
        "loss": loss.detach(),
        "grads": {k[6:]: v for k, v in grads.items() if k.startswith("param:")},
        "lr_grads": {k[3:]: v for k, v in grads.items() if k.startswith("lr:")},
    }


def _sum_grads(result: Any, chosen: dict[str, torch.Tensor]) -> dict[str, Any]:
    """d sum(result) / d each chosen leaf (zeros where it is not reached, named in
    ``unused``), with the result as data."""
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"expected a tensor result, got {type(result).__name__}")
    total = result.sum()
    grads = {k: torch.zeros_like(v) for k, v in chosen.items()}
    unused = list(chosen)
    if total.requires_grad:
        got = torch.autograd.grad(total, list(chosen.values()), allow_unused=True)
        for key, g in zip(chosen, got, strict=True):
            if g is not None:
                grads[key] = g.detach()
                unused.remove(key)
    return {"value": to_data(result), "grads": grads, "unused": unused}


def arg_grads(call: Callable, args: tuple, kwargs: dict, *which: int | str) -> dict[str, Any]:
    """d sum(result) / d the chosen tensor arguments (positions or keyword names).

    ``unused`` names the arguments the result does not depend on at all, so a test can tell
    "no gradient reaches teacher_logits" from a gradient that happens to be zero.
    """
    positional = list(args)  # tensors among them are replaced by fresh leaves
    chosen: dict[str, torch.Tensor] = {}
    for key in which:
        value = positional[key] if isinstance(key, int) else kwargs[key]
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise TypeError(f"argument {key!r} is not a floating-point tensor")
        leaf = value.detach().clone().requires_grad_(True)
        if isinstance(key, int):
            positional[key] = leaf
        else:
            kwargs[key] = leaf
        chosen[str(key)] = leaf
    return _sum_grads(call(*positional, **kwargs), chosen)


_MAX_PATHS, _MAX_PATH = 20, 200  # a result's keys are the submission's: keep the report small


def _tensors(value: Any, path: str, depth: int = 0) -> list[tuple[str, torch.Tensor]]:
    """Every tensor inside ``value`` (lists, tuples, str-keyed dicts, modules' state)."""
    if depth > 32:
        return []
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if isinstance(value, nn.Module):
        value = dict(value.state_dict(keep_vars=True))
    if type(value) in (list, tuple):
        return [t for i, v in enumerate(value) for t in _tensors(v, f"{path}[{i}]", depth + 1)]
    if type(value) is dict:
        return [
            t for k, v in value.items() if type(k) is str
            for t in _tensors(v, f"{path}[{k!r}]", depth + 1)
        ]  # fmt: skip
    return []


def _footprint(t: torch.Tensor) -> tuple[int, int] | None:
    """The bytes ``[start, end)`` that ``t``'s elements occupy (None when it has none)."""
    if t.numel() == 0 or t.layout != torch.strided:
        return None
    start = t.data_ptr()
    reach = sum((size - 1) * stride for size, stride in zip(t.shape, t.stride(), strict=True))
    return start, start + (reach + 1) * t.element_size()


def returned_aliases(call: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Which tensors of the result share memory with a tensor argument.

    ``aliases`` lists the result's paths (``"result['w']"``) whose bytes overlap the bytes
    of some input tensor (the same tensor, a view of it or of part of it, or another tensor
    over the same memory): writing into the result would then change the caller's inputs,
    which a contract that returns a new state dict forbids. The one aliasing rule of the
    judge (``judge.testing.expect_inputs_unchanged(..., new_tensors=True)``).
    """
    inputs = [*_tensors(list(args), "args"), *_tensors(dict(kwargs), "kwargs")]
    spans = sorted(s for _, t in inputs if (s := _footprint(t)) is not None)
    starts = [s for s, _ in spans]
    reach, furthest = [], 0  # reach[i]: the furthest end among spans[: i + 1]
    for _, end in spans:
        furthest = max(furthest, end)
        reach.append(furthest)
    result = call(*args, **kwargs)
    aliases = []
    for path, t in _tensors(result, "result"):
        span = _footprint(t)
        if span is None:
            continue
        i = bisect.bisect_left(starts, span[1]) - 1  # the last input span starting before end
        if i >= 0 and reach[i] > span[0]:
            aliases.append(path[:_MAX_PATH])
            if len(aliases) == _MAX_PATHS:
                break
    return {"aliases": aliases}


def result_grads(call: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Which tensors of the result still carry autograd history (``requires_grad``).

    A result crosses back detached, so "``q`` and ``scale`` carry no gradient" can only be
    seen here: ``requires_grad`` lists the result's paths (``"result[1]"``) that require
    grad, as a function given a layer's parameter returns them if it never detaches.
    """
    result = call(*args, **kwargs)
    value = to_data(result)  # first: it refuses what is not plain data (odd keys, depth)
    paths = [path[:_MAX_PATH] for path, t in _tensors(result, "result") if t.requires_grad]
    return {"value": value, "requires_grad": paths[:_MAX_PATHS]}


def input_grads(call: Callable, args: tuple, kwargs: dict, *which: int | str) -> dict[str, Any]:
    """d sum(result) / d the chosen arguments (positions or keyword names), each of which is a
    floating-point tensor (key ``"<arg>"``), an ``nn.Module`` (its parameters, keys
    ``"<arg>.<name>"``) or a dict of floating-point tensors (keys ``"<arg>.<key>"``).

    Tensors and dict entries are replaced by fresh leaves; a module's parameters are made to
    require grad. ``unused`` names the keys the result does not depend on at all.
    """
    positional = list(args)  # tensors among them are replaced by fresh leaves
    chosen: dict[str, torch.Tensor] = {}

    def leaf(key: str, value: Any) -> torch.Tensor:
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise TypeError(f"argument {key!r} is not a floating-point tensor")
        chosen[key] = value.detach().clone().requires_grad_(True)
        return chosen[key]

    for key in which:
        value = positional[key] if isinstance(key, int) else kwargs[key]
        if isinstance(value, nn.Module):
            for name, param in value.named_parameters():
                chosen[f"{key}.{name}"] = param.requires_grad_(True)
            continue
        if isinstance(value, dict):
            value = {str(k): leaf(f"{key}.{k}", v) for k, v in value.items()}
        else:
            value = leaf(str(key), value)
        if isinstance(key, int):
            positional[key] = value
        else:
            kwargs[key] = value
    return _sum_grads(call(*positional, **kwargs), chosen)


def module_steps(
    call: Callable, args: tuple, kwargs: dict, seed: int, steps: list[tuple[str, tuple]]
) -> dict[str, Any]:
    """Build a module with ``call`` (an ``nn.Module`` class) and drive it through ``steps``.

    For entry points that are classes (e.g. a ``LoRALinear``): torch's RNG is seeded with
    ``seed`` first, so a random initialisation is the same for every implementation that
    draws the same numbers. Each step is ``(action, step_args)``:

    - ``"__call__"``: ``module(*step_args)``;
    - ``"grads"``: d ``module(*step_args).sum()`` / d each parameter that requires grad;
    - ``"requires_grad"``: ``{parameter name: requires_grad}``;
    - ``"state"``: the module's state_dict;
    - ``"load_state_dict"``: ``module.load_state_dict(*step_args)`` (strict), giving ``None``;
    - any other public name: ``module.<name>(*step_args)`` (e.g. ``"merge"``).

    Returns ``{"steps": [each step's result]}``.
    """
    torch.manual_seed(seed)
    module = call(*args, **kwargs)
    if not isinstance(module, nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
    results: list[Any] = []
    for action, step_args in steps:
        if action == "__call__":
            results.append(to_data(module(*step_args)))
        elif action == "grads":
            out = module(*step_args)
            if not isinstance(out, torch.Tensor):
                raise TypeError(f"expected a tensor output, got {type(out).__name__}")
            trainable = {n: p for n, p in module.named_parameters() if p.requires_grad}
            results.append(_grads(out.sum(), trainable))
        elif action == "requires_grad":
            results.append({n: bool(p.requires_grad) for n, p in module.named_parameters()})
        elif action == "state":
            results.append(to_data(module))
        elif action == "load_state_dict":
            module.load_state_dict(*step_args)
            results.append(None)
        elif not action.startswith("_"):
            results.append(to_data(getattr(module, action)(*step_args)))
        else:
            raise ValueError(f"unknown step {action!r}")
    return {"steps": results}


def stale_grads(call: Callable, args: tuple, kwargs: dict, value: float) -> dict[str, Any]:
    """Call with every model parameter's ``.grad`` already set to ``value`` (a ``.grad`` does
    not survive pickling, so only a probe can stage one): a contract that returns a gradient
    must not include what was there before."""
    for arg in [*args, *kwargs.values()]:
        if isinstance(arg, nn.Module):
            for p in arg.parameters():
                p.grad = torch.full_like(p, float(value))
    return {"value": to_data(call(*args, **kwargs))}
