"""One scale for the whole tensor: the largest weight of any channel sets the step for all
of them, so channels with small weights are quantized to a handful of levels (or to zero).
Use one scale per output channel, scale_c = max|w_c| / 127.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    s = w.abs().max() / 127 if w.abs().max() > 0 else torch.tensor(1.0)
    q = torch.clamp(torch.round(w / s), -127, 127).to(torch.int8)
    return q, s.expand(w.shape[0]).clone()


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
