"""The range must be symmetric, [-127, 127] with scale = max|w|/127: using -128 (scale =
max|w|/128, clamp to [-128, 127]) makes the positive and negative sides use different
ranges, clips the largest positive weight and breaks the zero-point-free arithmetic.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 128, torch.ones_like(m))
    q = torch.clamp(torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))), -128, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
