"""Reference solution: reference/maml.py (``maml_meta_gradient``), one task at a time with a
shared θ.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden, so the inner loop (reference.maml.adapt) is copied here too.
tests/problems/test_meta_problems.py checks that both agree with the reference, second-order
gradients included.

(alternatives/ holds a nested torch.func.grad version and a per-task .backward() version.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

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
    """``steps`` gradient steps θ ← θ − α∇θ loss_fn(f_θ(x), y) from the model's θ.

    Differentiable with respect to θ (second order) unless ``first_order``, where the inner
    gradients are constants. The model is not changed.
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
    adapted parameters. Returns ``(detached meta-loss, {name: ∂meta_loss/∂θ})``. The model,
    and its ``.grad``, are not changed.
    """
    named = dict(model.named_parameters())
    total = torch.zeros(())
    for x_s, y_s, x_q, y_q in tasks:
        adapted = adapt(model, x_s, y_s, loss_fn, inner_lr, steps, first_order)
        total = total + loss_fn(functional_call(model, adapted, (x_q,)), y_q)
    meta_loss = total / len(tasks)
    # autograd.grad, not .backward(): the gradient is returned, never accumulated into .grad.
    grads = torch.autograd.grad(meta_loss, list(named.values()), allow_unused=True)
    return meta_loss.detach(), {
        n: torch.zeros_like(p) if g is None else g
        for (n, p), g in zip(named.items(), grads, strict=True)
    }


__all__ = ["maml_meta_gradient"]
