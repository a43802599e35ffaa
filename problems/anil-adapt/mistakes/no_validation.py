"""No argument checks: a model that is not an nn.Sequential of a body and a head, a last
module without parameters, or steps < 0 must raise ValueError (here they run on, or fail
with another error).
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
    """Adapt the head, without checking the arguments."""
    head = model[-1]
    head_params = dict(head.named_parameters())
    features = model[:-1](x)
    fast = dict(head_params)
    for _ in range(steps):
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
