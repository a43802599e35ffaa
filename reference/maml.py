"""MAML, first-order MAML, Reptile and Meta-SGD, one task at a time: the problems' entry points.

:func:`adapt`, :func:`maml_meta_gradient`, :func:`reptile_step` and :func:`meta_sgd_adapt`
are the per-call contracts the judge grades (``maml-adapt``, ``maml-meta-gradient``,
``reptile-step``, ``meta-sgd-adapt``), written as the plain autograd the maths states. They
never change the model (its ``.grad`` is not touched either). The meta-batch trainers built
on the same maths, batched over tasks, are in :mod:`reference.meta_train`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

__all__ = ["LossFn", "Params", "adapt", "maml_meta_gradient", "meta_sgd_adapt", "reptile_step"]

Params = dict[str, Tensor]
LossFn = Callable[[Tensor, Tensor], Tensor]


def adapt(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    loss_fn: LossFn,
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> Params:
    """``steps`` full-batch gradient steps θ ← θ − α∇θ loss_fn(f_θ(x), y) from the model's θ.

    Returns the adapted value of every named parameter. With ``first_order=False`` the result
    is differentiable with respect to θ, second-order terms included; with ``first_order=True``
    the inner gradients are constants (the result depends on θ through the identity path
    only). ``steps=0`` returns values equal to θ. The model is not changed.
    """
    params = {name: p.clone() for name, p in model.named_parameters()}
    for _ in range(steps):
        # First order: the gradient is taken at a detached copy, so it is a constant.
        src = {n: p.detach().requires_grad_() for n, p in params.items()} if first_order else params
        loss = loss_fn(functional_call(model, src, (x,)), y)
        grads = torch.autograd.grad(
            loss, list(src.values()), create_graph=not first_order, allow_unused=True
        )
        params = {
            n: p if g is None else p - inner_lr * g
            for (n, p), g in zip(params.items(), grads, strict=True)
        }
    return params


def maml_meta_gradient(
    model: nn.Module,
    tasks: list[tuple[Tensor, Tensor, Tensor, Tensor]],
    loss_fn: LossFn,
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> tuple[Tensor, Params]:
    """The MAML meta-loss and its gradient with respect to θ, one task at a time.

    Each task ``(x_support, y_support, x_query, y_query)`` adapts from the same θ on its support
    set (as :func:`adapt`); the meta-loss is the mean over tasks of the query loss at the
    adapted parameters. Returns ``(detached meta-loss, {name: ∂meta_loss/∂θ})``.
    """
    named = dict(model.named_parameters())
    total = torch.zeros(())
    for x_s, y_s, x_q, y_q in tasks:
        adapted = adapt(model, x_s, y_s, loss_fn, inner_lr, steps, first_order)
        total = total + loss_fn(functional_call(model, adapted, (x_q,)), y_q)
    meta_loss = total / len(tasks)
    grads = torch.autograd.grad(meta_loss, list(named.values()), allow_unused=True)
    return meta_loss.detach(), {
        n: torch.zeros_like(p) if g is None else g
        for (n, p), g in zip(named.items(), grads, strict=True)
    }


def reptile_step(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    loss_fn: LossFn,
    inner_lr: float,
    inner_steps: int,
    outer_lr: float,
) -> Params:
    """One Reptile update: φ = ``inner_steps`` SGD steps from θ on (x, y); returns θ + ε(φ − θ).

    The result is detached; the model is not changed.
    """
    phi = adapt(model, x, y, loss_fn, inner_lr, inner_steps, first_order=True)
    return {n: (p + outer_lr * (phi[n] - p)).detach() for n, p in model.named_parameters()}


def meta_sgd_adapt(model: nn.Module, lrs: Params, x: Tensor, y: Tensor, loss_fn: LossFn) -> Params:
    """One Meta-SGD step θ' = θ − α ⊙ ∇θ loss (Li et al. 2017), α per parameter entry.

    ``lrs`` is keyed like ``model.named_parameters()`` with the same shapes. The result is
    differentiable with respect to θ (second order) and α.
    """
    named: Params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, named, (x,)), y)
    grads = torch.autograd.grad(loss, list(named.values()), create_graph=True, allow_unused=True)
    return {
        n: p if g is None else p - lrs[n] * g
        for (n, p), g in zip(named.items(), grads, strict=True)
    }
