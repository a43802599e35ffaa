"""MAML inner-loop adaptation: write `adapt`."""

from __future__ import annotations

from collections.abc import Callable

import torch  # noqa: F401  (you will need it)
from torch import Tensor, nn


def adapt(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> dict[str, Tensor]:
    """Adapt ``model``'s parameters to the task ``(x, y)`` with ``steps`` gradient steps.

    Each step is θ ← θ − inner_lr · ∇θ loss_fn(f_θ(x), y), full batch, starting from the
    model's parameters. Returns ``{name: adapted value}`` for every entry of
    ``model.named_parameters()``.

    - ``first_order=False``: the result is differentiable with respect to the model's
      parameters, second-order terms included.
    - ``first_order=True``: the inner gradients are treated as constants; the result still
      depends on θ through the identity path.
    - ``steps=0`` returns values equal to the parameters.
    - The model itself must not change.
    """
    raise NotImplementedError
