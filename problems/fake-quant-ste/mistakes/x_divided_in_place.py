"""x was changed in place (x.div_(scale) to save memory): the caller's tensor now holds
x / s. The contract leaves x and scale as they were: compute into a new tensor (x / scale).
"""

from __future__ import annotations

import torch
from torch import Tensor


class _FakeQuantize(torch.autograd.Function):
    """Exact forward; straight-through gradient for x and LSQ's gradient for the scale."""

    @staticmethod
    def forward(ctx, x: Tensor, scale: Tensor, zero_point: Tensor, qmin: int, qmax: int):
        v = x.div_(scale)  # in place: the caller's x
        rounded = torch.round(v) + zero_point
        q = torch.clamp(rounded, qmin, qmax)
        ctx.save_for_backward(v, rounded, zero_point)
        ctx.bounds, ctx.scale_shape = (qmin, qmax), scale.shape
        return (q - zero_point) * scale

    @staticmethod
    def backward(ctx, grad: Tensor):
        v, rounded, zero_point = ctx.saved_tensors
        qmin, qmax = ctx.bounds
        below, above = rounded < qmin, rounded > qmax
        inside = ~(below | above)
        grad_x = grad * inside
        # d/ds of (q − z)·s: round(v) − v inside the range (round is straight-through),
        # qmin − z below it and qmax − z above it.
        d_scale = torch.where(inside, rounded - zero_point - v, torch.zeros_like(v))
        d_scale = d_scale + below * (qmin - zero_point) + above * (qmax - zero_point)
        grad_scale = (grad * d_scale).sum_to_size(ctx.scale_shape)
        return grad_x, grad_scale, None, None, None


def fake_quantize(x: Tensor, scale: Tensor, zero_point: int, qmin: int, qmax: int) -> Tensor:
    """``(clamp(round(x / scale) + zero_point, qmin, qmax) − zero_point) · scale``, trainable."""
    if qmin >= qmax:
        raise ValueError(f"need qmin < qmax, got {qmin} and {qmax}")
    scale = torch.as_tensor(scale, dtype=x.dtype)
    if not bool((scale > 0).all()):
        raise ValueError("every scale must be positive")
    zero = torch.as_tensor(zero_point, dtype=x.dtype)
    return _FakeQuantize.apply(x, scale, zero, qmin, qmax)


__all__ = ["fake_quantize"]
