"""ANIL's inner loop (Raghu et al. 2020): adapt only the head."""

from collections.abc import Callable

import torch
from torch import nn


def anil_adapt(
    model: nn.Sequential,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> dict[str, torch.Tensor]:
    """`steps` gradient steps on the head `model[-1]` only, on the body's features of x.

    The body `model[:-1]` runs once on x. Returns a dict with every name of
    model.named_parameters(): the body's entries equal the model's parameters, the head's are
    adapted. With first_order=False the head's entries are differentiable w.r.t. the head's
    initial parameters and the body's parameters, second-order terms included; with
    first_order=True the inner gradients are constants. The model must not change.
    Raises ValueError if model is not an nn.Sequential of at least 2 modules, if its last
    module has no parameters, or if steps < 0.
    """
    raise NotImplementedError
