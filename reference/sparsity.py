"""Sparsity that hardware can use: N:M semi-structured masks and structured neuron pruning.

Unstructured magnitude pruning (``reference.compress``) zeroes scattered weights; a dense
kernel still multiplies them. Two patterns pay off on real hardware:

- **N:M sparsity** (2:4 on NVIDIA's sparse tensor cores since Ampere, Mishra et al. 2021):
  every group of ``m`` consecutive input weights keeps at most ``n``. The kernel stores the
  ``n`` values plus 2-bit indices and skips half the multiplications, at a fixed 50% density.
- **Structured pruning** (Li et al. 2017, "Pruning Filters for Efficient ConvNets"): remove
  whole hidden units (rows of one layer and the matching columns of the next), leaving a
  smaller *dense* model that is faster with any kernel.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def nm_mask(weight: Tensor, n: int = 2, m: int = 4) -> Tensor:
    """Bool mask (True = kept) keeping the ``n`` largest |w| of every ``m`` consecutive entries.

    Groups run along the last dimension from index 0 (for an ``nn.Linear`` weight: the input
    weights of one output unit). Ties keep the earlier entry. A trailing partial group of
    ``p < m`` entries is treated as padded with zeros, i.e. keeps its ``min(n, p)`` largest.
    """
    if not 1 <= n <= m:
        raise ValueError(f"need 1 <= n <= m, got n={n}, m={m}")
    if weight.dim() == 0:
        raise ValueError("weight must have at least one dimension")
    magnitudes = weight.detach().abs()
    cols = magnitudes.shape[-1]
    padded = F.pad(magnitudes, (0, (-cols) % m))  # zero padding: loses every tie (it is last)
    groups = padded.reshape(*magnitudes.shape[:-1], -1, m)
    best = torch.sort(groups, dim=-1, descending=True, stable=True).indices[..., :n]
    keep = torch.zeros_like(groups, dtype=torch.bool).scatter_(-1, best, True)
    return keep.reshape(*magnitudes.shape[:-1], -1)[..., :cols]


def _kept_units(scores: Tensor, n_remove: int) -> Tensor:
    """Indices, ascending, of the units kept: the largest scores, ties to the smaller index."""
    order = torch.sort(scores, descending=True, stable=True).indices
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
