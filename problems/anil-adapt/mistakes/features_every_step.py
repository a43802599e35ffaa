"""The body's features are recomputed in every inner step: ANIL runs the body once per task
and adapts the head on those fixed features (with dropout in the body, every step here sees
a different draw of them; without it, K - 1 forward passes of the body are wasted).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call


def anil_adapt(
    model: nn.Sequential,
    x: Tensor,
    y: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> dict[str, Tensor]:
    """Adapt the head, running the body again in every step."""
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise ValueError("ANIL needs an nn.Sequential of a body and a head (at least 2 modules)")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    head = model[-1]
    head_params = dict(head.named_parameters())
    if not head_params:
        raise ValueError("the head (the last module) has no parameters to adapt")
    fast = dict(head_params)
    for _ in range(steps):
        features = model[:-1](x)  # recomputed in every step
        if first_order:
            src = {n: p.detach().requires_grad_() for n, p in fast.items()}
            loss = loss_fn(functional_call(head, src, (features.detach(),)), y)
        else:
            src = fast
            loss = loss_fn(functional_call(head, src, (features,)), y)
        grads = torch.autograd.grad(loss, list(src.values()), create_graph=not first_order)
        fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads, strict=True)}
    prefix = list(model.named_children())[-1][0] + "."
    return {
        name: fast[name[len(prefix) :]] if name.startswith(prefix) else p
        for name, p in model.named_parameters()
    }


__all__ = ["anil_adapt"]
