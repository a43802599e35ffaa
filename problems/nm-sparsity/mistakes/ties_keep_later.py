"""Ties keep the later entry: you dropped the m - n smallest with a stable ascending sort,
which drops the earlier of two equal magnitudes. The contract keeps the entry with the
smaller index.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def nm_mask(weight: Tensor, n: int = 2, m: int = 4) -> Tensor:
    """Bool mask (True = kept) keeping the ``n`` largest |w| of every ``m`` consecutive entries."""
    if not 1 <= n <= m:
        raise ValueError(f"need 1 <= n <= m, got n={n}, m={m}")
    if weight.dim() == 0:
        raise ValueError("weight must have at least one dimension")
    magnitudes = weight.detach().abs()
    cols = magnitudes.shape[-1]
    padded = F.pad(
        magnitudes, (0, (-cols) % m), value=-1.0
    )  # zero padding: loses every tie (it is last)
    groups = padded.reshape(*magnitudes.shape[:-1], -1, m)
    worst = torch.sort(groups, dim=-1, stable=True).indices[..., : m - n]
    keep = torch.ones_like(groups, dtype=torch.bool).scatter_(-1, worst, False)
    return keep.reshape(*magnitudes.shape[:-1], -1)[..., :cols]
