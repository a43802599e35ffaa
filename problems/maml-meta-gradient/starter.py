"""MAML meta-gradient: write `maml_meta_gradient`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch  # noqa: F401  (you will need it)
from torch import Tensor, nn

Task = tuple[Tensor, Tensor, Tensor, Tensor]  # (x_support, y_support, x_query, y_query)


def maml_meta_gradient(
    model: nn.Module,
    tasks: Sequence[Task],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> tuple[Tensor, dict[str, Tensor]]:
    """The MAML meta-loss and its gradient with respect to the model's parameters.

    Every task adapts from the same θ (the model's parameters) with ``steps`` full-batch
    gradient steps of ``inner_lr`` on its support set; the meta-loss is the MEAN over tasks
    of the query loss at the adapted parameters. Second order unless ``first_order=True``.

    Returns ``(meta_loss as a detached 0-d tensor, {name: ∂meta_loss/∂θ_name})`` with one
    entry for every name of ``model.named_parameters()``. The model's parameters must hold
    the same values afterwards (their ``.grad`` may be touched).
    """
    raise NotImplementedError
