"""An invalid rank is not rejected: r must satisfy 1 <= r <= min(in_features, out_features),
otherwise raise ValueError (r = 0 divides by zero; a rank above the layer's is no longer
low-rank).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class LoRALinear(nn.Module):
    """``base(x) + (alpha / r) · x Aᵀ Bᵀ`` with ``base`` frozen and only ``A``, ``B`` trainable."""

    def __init__(self, base: nn.Linear, r: int, alpha: float) -> None:
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise ValueError(f"base must be an nn.Linear, got {type(base).__name__}")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        dtype = base.weight.dtype
        self.A = nn.Parameter(torch.empty(r, base.in_features, dtype=dtype))
        self.B = nn.Parameter(torch.zeros(base.out_features, r, dtype=dtype))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.scaling = alpha / r if r else 0.0
        self.merged = False

    def delta_weight(self) -> Tensor:
        return self.scaling * (self.B @ self.A)

    def forward(self, x: Tensor) -> Tensor:
        out = self.base(x)
        if self.merged:  # the update is already inside base.weight
            return out
        return out + self.scaling * ((x @ self.A.T) @ self.B.T)

    @torch.no_grad()
    def merge(self) -> None:
        if not self.merged:
            self.base.weight += self.delta_weight()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        if self.merged:
            self.base.weight -= self.delta_weight()
            self.merged = False
