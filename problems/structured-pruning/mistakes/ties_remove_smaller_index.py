"""Among units with equal scores the smaller index was removed first. The contract breaks
ties the other way: the unit with the larger index goes, the smaller index is kept (a
stable sort of the scores, descending, keeps the first of equal units).
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn


def _kept_units(scores: Tensor, n_remove: int) -> Tensor:
    """Indices, ascending, of the units kept: the largest scores, ties to the larger index."""
    order = scores.numel() - 1 - torch.sort(scores.flip(0), descending=True, stable=True).indices
    return order[: scores.numel() - n_remove].sort().values


def prune_neurons(model: nn.Sequential, amount: float) -> nn.Sequential:
    """A smaller dense copy of ``model`` without the weakest hidden units of each layer.

    Every ``nn.Linear`` but the last is a hidden layer of ``h`` units; it loses
    ``min(round(amount·h), h − 1)`` of them, those whose incoming weights (a row of its weight,
    bias excluded) have the smallest L1 norm, scored on the original model. Their rows go
    from the layer and their columns from the next Linear, so the copy computes what
    ``model`` computes with those units' activations set to zero. ``model`` is unchanged.
    """
    if not 0.0 <= amount <= 1.0:  # also rejects NaN
        raise ValueError(f"amount must lie in [0, 1], got {amount}")
    for layer in model:
        if not isinstance(layer, nn.Linear) and any(True for _ in layer.parameters()):
            raise ValueError(f"cannot prune through a {type(layer).__name__} with parameters")
    pruned = copy.deepcopy(model)
    linears = [layer for layer in pruned if isinstance(layer, nn.Linear)]
    kept = []
    for layer in linears[:-1]:
        h = layer.out_features
        scores = layer.weight.detach().abs().sum(dim=1)  # before any column is sliced
        kept.append(_kept_units(scores, min(round(amount * h), h - 1)))
    with torch.no_grad():
        for layer, nxt, keep in zip(linears[:-1], linears[1:], kept, strict=True):
            layer.weight = nn.Parameter(layer.weight[keep].clone())
            if layer.bias is not None:
                layer.bias = nn.Parameter(layer.bias[keep].clone())
            layer.out_features = len(keep)
            nxt.weight = nn.Parameter(nxt.weight[:, keep].clone())
            nxt.in_features = len(keep)
    return pruned


__all__ = ["prune_neurons"]
