"""The straight-through mask tests the unrounded x / s + z against [qmin, qmax]. The
contract (and PyTorch's fake-quantize kernels) test the rounded value: an x within half a
step beyond the range still rounds to qmin or qmax and gets gradient 1.
"""

from __future__ import annotations

import torch
from torch import Tensor


class _RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        return torch.round(v)

    @staticmethod
    def backward(ctx, g):
        return g


def fake_quantize(x: Tensor, scale: Tensor, zero_point: int, qmin: int, qmax: int) -> Tensor:
    if qmin >= qmax or not bool((torch.as_tensor(scale) > 0).all()):
        raise ValueError("bad arguments")
    v = x / scale
    r = _RoundSTE.apply(v) + zero_point
    inside = ((v + zero_point) >= qmin) & ((v + zero_point) <= qmax)
    q = torch.where(inside, r, torch.clamp(r, qmin, qmax).detach())
    return (q - zero_point) * scale
