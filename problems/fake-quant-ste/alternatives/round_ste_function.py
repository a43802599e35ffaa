"""Written differently: only rounding is a custom autograd.Function (identity backward);
clamping keeps the gradient inside the range by replacing clamped entries with constants,
and LSQ's scale gradient falls out of autograd through (round_ste(x / s) + z - z) * s."""

import torch


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        return torch.round(v)

    @staticmethod
    def backward(ctx, grad):
        return grad


def fake_quantize(x: torch.Tensor, scale: torch.Tensor, zero_point: int, qmin: int, qmax: int):
    if qmin >= qmax or torch.any(scale <= 0):
        raise ValueError("invalid quantization range or scale")
    code = RoundSTE.apply(x / scale) + zero_point
    low = torch.full_like(code, float(qmin))
    high = torch.full_like(code, float(qmax))
    code = torch.where(code.detach() < qmin, low, code)
    code = torch.where(code.detach() > qmax, high, code)
    return (code - zero_point) * scale
