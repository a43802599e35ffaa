"""A and B are initialised the wrong way round: A must be random (kaiming_uniform_ with
a=sqrt(5)) and B zero. With A zero the gradient of B is zero at the start, and B never
leaves its random start through A's gradient alone.
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
        if not 1 <= r <= min(base.in_features, base.out_features):
            raise ValueError(
                f"r must lie in [1, {min(base.in_features, base.out_features)}], got {r}"
            )
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        dtype = base.weight.dtype
        self.A = nn.Parameter(torch.zeros(r, base.in_features, dtype=dtype))
        self.B = nn.Parameter(torch.empty(base.out_features, r, dtype=dtype))
        nn.init.kaiming_uniform_(self.B, a=math.sqrt(5))
        self.scaling = alpha / r
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
