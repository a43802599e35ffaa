"""MAML++ (Antoniou et al. 2019): per-layer per-step learned inner rates (LSLR) and the
multi-step loss (MSL)."""

from collections.abc import Callable

import torch
from torch import nn


def lslr_multi_step_loss(
    model: nn.Module,
    lrs: dict[str, torch.Tensor],
    x_support: torch.Tensor,
    y_support: torch.Tensor,
    x_query: torch.Tensor,
    y_query: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    step_weights: torch.Tensor,
) -> torch.Tensor:
    """The weighted sum over inner steps k = 1..K of the query loss after step k.

    K = len(step_weights). Step k updates every parameter tensor `name` by
    theta_k = theta_{k-1} - lrs[name][k-1] * grad of the support loss at theta_{k-1}.
    Returns sum_k step_weights[k-1] * loss_fn(model(x_query; theta_k), y_query), a scalar
    tensor differentiable w.r.t. the model's parameters (second order) and the rates.
    Neither the model nor lrs may be modified.
    Raises ValueError if step_weights is not a non-empty 1-D tensor, if lrs's keys are not
    exactly the model's parameter names, or if some lrs[name] is not of shape [K].
    """
    raise NotImplementedError
