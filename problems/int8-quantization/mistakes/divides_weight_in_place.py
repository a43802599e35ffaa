"""The weight is divided by its scales in place (`weight.div_(scale)` or `w = weight; w /= s`):
the caller's weight, usually a live layer's parameter, now holds the quantized values.
Compute `weight / scale` into a new tensor; do not modify `weight`.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach()
    m = w.abs().flatten(1).amax(dim=1).float()
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    w /= scale.view(-1, *([1] * (w.dim() - 1))).to(w.dtype)
    return torch.clamp(torch.round(w.float()), -127, 127).to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
