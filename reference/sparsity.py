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

import torch
import torch.nn.functional as F
from torch import Tensor


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
