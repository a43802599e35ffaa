"""Reference solution: a functional inner loop per task, one backward pass for the batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn
from torch.func import functional_call


def _adapt(model, params, x, y, loss_fn, inner_lr, steps, first_order):
    for _ in range(steps):
        loss = loss_fn(functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=not first_order)
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads, strict=True)}
    return params


def maml_meta_gradient(
    model: nn.Module,
    tasks: Sequence[tuple[Tensor, Tensor, Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> tuple[Tensor, dict[str, Tensor]]:
    """Mean query loss after per-task adaptation from the same θ, and its gradient."""
    params = dict(model.named_parameters())
    query_losses = []
    for x_s, y_s, x_q, y_q in tasks:
        adapted = _adapt(model, params, x_s, y_s, loss_fn, inner_lr, steps, first_order)
        query_losses.append(loss_fn(functional_call(model, adapted, (x_q,)), y_q))
    meta_loss = torch.stack(query_losses).mean()
    grads = torch.autograd.grad(meta_loss, list(params.values()), allow_unused=True)
    meta_grad = {
        name: torch.zeros_like(p) if g is None else g
        for (name, p), g in zip(params.items(), grads, strict=True)
    }
    return meta_loss.detach(), meta_grad
