"""Truncation instead of rounding: casting w / scale straight to int8 (or .int()) rounds
toward zero, which doubles the worst-case error and biases every weight towards zero. Round
to the nearest integer with torch.round first.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    q = torch.clamp(w / scale.view(-1, *([1] * (w.dim() - 1))), -127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
