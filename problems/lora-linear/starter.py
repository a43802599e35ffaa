"""LoRA: a trainable low-rank update beside a frozen nn.Linear."""

import torch
from torch import nn


class LoRALinear(nn.Module):
    """base(x) + (alpha / r) * x @ A.T @ B.T, with base frozen and only A and B trainable.

    A: (r, in_features), initialised with nn.init.kaiming_uniform_(A, a=math.sqrt(5)).
    B: (out_features, r), zeros. Both in base.weight's dtype. base is wrapped, not copied.
    Raises ValueError unless 1 <= r <= min(in_features, out_features).
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float) -> None:
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def merge(self) -> None:
        """Add (alpha / r) * B @ A into base.weight; merging twice changes nothing."""
        raise NotImplementedError

    def unmerge(self) -> None:
        """Subtract the update from base.weight again; does nothing when not merged."""
        raise NotImplementedError
