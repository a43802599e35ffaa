"""Written differently: the forward pass builds the effective weight W + (alpha/r) B A and
calls F.linear once; A is drawn by uniform_ with the same bound kaiming_uniform_ uses."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        d_out, d_in = base.weight.shape
        if r < 1 or r > min(d_in, d_out):
            raise ValueError("rank out of range")
        self.base = base
        base.weight.requires_grad = False
        if base.bias is not None:
            base.bias.requires_grad = False
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + 5)) / math.sqrt(d_in)
        self.A = nn.Parameter(torch.empty(r, d_in, dtype=base.weight.dtype).uniform_(-bound, bound))
        self.B = nn.Parameter(torch.zeros(d_out, r, dtype=base.weight.dtype))
        self.s = alpha / r
        self.is_merged = False

    def forward(self, x):
        weight = self.base.weight
        if not self.is_merged:
            weight = weight + self.s * torch.mm(self.B, self.A)
        return F.linear(x, weight, self.base.bias)

    def merge(self):
        if self.is_merged:
            return
        self.base.weight.data.add_(self.s * (self.B.data @ self.A.data))
        self.is_merged = True

    def unmerge(self):
        if not self.is_merged:
            return
        self.base.weight.data.sub_(self.s * (self.B.data @ self.A.data))
        self.is_merged = False
