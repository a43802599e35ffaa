"""Meta-SGD adaptation: write `meta_sgd_adapt`."""

from __future__ import annotations

from collections.abc import Callable

import torch  # noqa: F401  (you will need it)
from torch import Tensor, nn


def meta_sgd_adapt(
    model: nn.Module,
    lrs: dict[str, Tensor],
    x: Tensor,
    y: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
) -> dict[str, Tensor]:
    """One Meta-SGD step θ' = θ − α ⊙ ∇θ loss_fn(f_θ(x), y).

    ``lrs`` maps every name of ``model.named_parameters()`` to α for that parameter: a
    leaf tensor of the same shape (one learning rate per entry). Returns
    ``{name: θ'_name}`` for every parameter, differentiable with respect to both θ
    (second-order terms included) and α. The model must not change.
    """
    raise NotImplementedError
