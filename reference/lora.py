"""Low-rank adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models").

A frozen ``nn.Linear`` with weight ``W`` learns an update ``ΔW = (alpha / r) · B A`` of rank at
most ``r``: ``A`` is ``r × in``, ``B`` is ``out × r``. ``B`` starts at zero, so training starts
exactly at the pretrained layer; only ``A`` and ``B`` (``r · (in + out)`` numbers instead of
``in · out``) receive gradients and optimiser state. ``merge()`` folds ``ΔW`` into ``W`` so
inference costs nothing extra; ``unmerge()`` takes it out again.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class LoRALinear(nn.Module):
    """``base(x) + (alpha / r) · x Aᵀ Bᵀ`` with ``base`` frozen and only ``A``, ``B`` trainable.

    ``A`` is drawn like an ``nn.Linear`` weight (``kaiming_uniform_(a=√5)``, i.e. uniform in
    ``±1/√in``) from torch's global RNG; ``B`` is zero. Both take ``base``'s dtype. ``base``
    is wrapped, not copied: its parameters are set to ``requires_grad=False``.
    """

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
        self.A = nn.Parameter(torch.empty(r, base.in_features, dtype=dtype))
        self.B = nn.Parameter(torch.zeros(base.out_features, r, dtype=dtype))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.r = r
        self.alpha = alpha
        self.scaling = alpha / r
        self.merged = False

    def delta_weight(self) -> Tensor:
        """``ΔW = (alpha / r) · B A``, shaped like ``base.weight``."""
        return self.scaling * (self.B @ self.A)

    def forward(self, x: Tensor) -> Tensor:
        out = self.base(x)
        if self.merged:  # the update is already inside base.weight
            return out
        return out + self.scaling * ((x @ self.A.T) @ self.B.T)

    @torch.no_grad()
    def merge(self) -> None:
        """Fold ``ΔW`` into ``base.weight`` (once; merging a merged layer does nothing)."""
        if not self.merged:
            self.base.weight += self.delta_weight()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Take ``ΔW`` out of ``base.weight`` again (does nothing when not merged)."""
        if self.merged:
            self.base.weight -= self.delta_weight()
            self.merged = False
