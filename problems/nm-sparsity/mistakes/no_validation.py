"""Invalid arguments are not rejected: n must satisfy 1 <= n <= m and the weight must have
at least one dimension, otherwise raise ValueError.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def nm_mask(weight: Tensor, n: int = 2, m: int = 4) -> Tensor:
    """Bool mask (True = kept) keeping the ``n`` largest |w| of every ``m`` consecutive entries."""
    if weight.dim() == 0:
        return torch.ones_like(weight, dtype=torch.bool)
    magnitudes = weight.detach().abs()
    cols = magnitudes.shape[-1]
    padded = F.pad(magnitudes, (0, (-cols) % m))  # zero padding: loses every tie (it is last)
    groups = padded.reshape(*magnitudes.shape[:-1], -1, m)
    best = torch.sort(groups, dim=-1, descending=True, stable=True).indices[..., : max(n, 0)]
    keep = torch.zeros_like(groups, dtype=torch.bool).scatter_(-1, best, True)
    return keep.reshape(*magnitudes.shape[:-1], -1)[..., :cols]
