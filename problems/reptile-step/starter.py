"""One Reptile meta-update: write `reptile_step`."""

from __future__ import annotations

from collections.abc import Callable

import torch  # noqa: F401  (you will need it)
from torch import Tensor, nn


def reptile_step(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    inner_lr: float,
    inner_steps: int,
    outer_lr: float,
) -> dict[str, Tensor]:
    """One Reptile update of the initialisation θ (the model's parameters) on task (x, y).

    φ starts at θ and takes ``inner_steps`` full-batch SGD steps of ``inner_lr`` on
    loss_fn(f_φ(x), y). Returns ``{name: θ + outer_lr · (φ − θ)}`` for every name of
    ``model.named_parameters()``, detached. The model must not change.
    """
    raise NotImplementedError
