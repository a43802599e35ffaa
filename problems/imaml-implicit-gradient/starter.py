"""iMAML's implicit meta-gradient (Rajeswaran et al. 2019)."""

from collections.abc import Callable

import torch
from torch import nn


def imaml_meta_gradient(
    model: nn.Module,
    adapted: dict[str, torch.Tensor],
    x_support: torch.Tensor,
    y_support: torch.Tensor,
    x_query: torch.Tensor,
    y_query: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    lam: float,
    cg_steps: int,
) -> dict[str, torch.Tensor]:
    """Approximately (I + H/lam)^-1 g by exactly cg_steps iterations of conjugate gradient
    started at 0 (stop earlier only if the residual is exactly zero), where, at phi = adapted,
    g = grad of loss_fn(model(x_query; phi), y_query) and H = Hessian of
    loss_fn(model(x_support; phi), y_support). H must never be formed: use Hessian-vector
    products. Returns a dict keyed like model.named_parameters() (same shapes and dtype).
    Neither the model nor adapted may be modified.
    Raises ValueError if adapted's keys or shapes differ from the model's parameters, if
    lam <= 0 or if cg_steps < 1.
    """
    raise NotImplementedError
