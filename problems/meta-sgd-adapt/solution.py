"""Reference solution: reference/maml.py (``meta_sgd_adapt``): one functional step with
create_graph=True.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_meta_problems.py checks that it agrees with
reference.maml.meta_sgd_adapt, its gradients with respect to θ and α included.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

Params = dict[str, Tensor]
LossFn = Callable[[Tensor, Tensor], Tensor]


def meta_sgd_adapt(model: nn.Module, lrs: Params, x: Tensor, y: Tensor, loss_fn: LossFn) -> Params:
    """One Meta-SGD step θ' = θ − α ⊙ ∇θ loss (Li et al. 2017), α per parameter entry.

    ``lrs`` is keyed like ``model.named_parameters()`` with the same shapes. The result is
    differentiable with respect to θ (second order, hence ``create_graph=True``) and α.
    """
    named = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, named, (x,)), y)
    grads = torch.autograd.grad(loss, list(named.values()), create_graph=True, allow_unused=True)
    # A parameter the loss does not use (allow_unused gives None) keeps its value.
    return {
        n: p if g is None else p - lrs[n] * g
        for (n, p), g in zip(named.items(), grads, strict=True)
    }


__all__ = ["meta_sgd_adapt"]
