"""No argument checks: rates whose keys are not exactly the model's parameter names, a rate
that is not of shape [K], or step_weights that are not a non-empty 1-D tensor must raise
ValueError (here they run on, silently using part of the rates, or fail with another error).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call


def lslr_multi_step_loss(
    model: nn.Module,
    lrs: dict[str, Tensor],
    x_support: Tensor,
    y_support: Tensor,
    x_query: Tensor,
    y_query: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    step_weights: Tensor,
) -> Tensor:
    """Σ_k w_k · L_query(θ_k), θ_k one support step from θ_{k−1} at the rates lrs[·][k−1]."""
    steps = len(step_weights)
    params = dict(model.named_parameters())
    total: Tensor | float = 0.0
    for k in range(steps):
        loss = loss_fn(functional_call(model, params, (x_support,)), y_support)
        grads = torch.autograd.grad(
            loss, list(params.values()), create_graph=True, allow_unused=True
        )
        params = {
            n: p if g is None else p - lrs[n][k] * g
            for (n, p), g in zip(params.items(), grads, strict=True)
        }
        query = loss_fn(functional_call(model, params, (x_query,)), y_query)
        total = total + step_weights[k] * query
    assert isinstance(total, Tensor)  # steps >= 1
    return total


__all__ = ["lslr_multi_step_loss"]
