"""Written differently: the low-rank branch as einsum over the last dimension, the delta
recomputed in merge/unmerge with torch.no_grad(), A initialised through a throwaway
nn.Linear(in, r, bias=False) (whose weight init is exactly kaiming_uniform_(a=sqrt(5)))."""

import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float) -> None:
        super().__init__()
        if not (0 < r <= min(base.in_features, base.out_features)):
            raise ValueError(f"bad rank {r}")
        self.base = base.requires_grad_(False)
        down = nn.Linear(base.in_features, r, bias=False, dtype=base.weight.dtype)
        self.A = nn.Parameter(down.weight.detach().clone())
        self.B = nn.Parameter(base.weight.new_zeros(base.out_features, r))
        self.alpha, self.r = alpha, r
        self._merged = False

    def forward(self, x):
        y = self.base(x)
        if self._merged:
            return y
        h = torch.einsum("...i,ri->...r", x, self.A)
        return y + torch.einsum("...r,or->...o", h, self.B) * (self.alpha / self.r)

    def _delta(self):
        return (self.alpha / self.r) * torch.einsum("or,ri->oi", self.B, self.A)

    def merge(self):
        with torch.no_grad():
            if not self._merged:
                self.base.weight.copy_(self.base.weight + self._delta())
                self._merged = True

    def unmerge(self):
        with torch.no_grad():
            if self._merged:
                self.base.weight.copy_(self.base.weight - self._delta())
                self._merged = False
