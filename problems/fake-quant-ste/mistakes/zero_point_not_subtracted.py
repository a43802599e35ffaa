"""The zero point is not subtracted when mapping back: y = (q - z) * s. Returning q * s
shifts every value by z * s.
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
    r = _RoundSTE.apply(x / scale) + zero_point
    inside = ((r >= qmin) & (r <= qmax)).detach()
    q = torch.where(inside, r, torch.clamp(r, qmin, qmax).detach())
    return q * scale
