"""One output channel at a time, in plain loops."""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    qs, scales = [], []
    for c in range(w.shape[0]):
        m = w[c].abs().max()
        s = m / 127 if m > 0 else torch.tensor(1.0)
        scales.append(s)
        qs.append(torch.round(w[c] / s).clamp(-127, 127).to(torch.int8))
    return torch.stack(qs), torch.stack(scales).float()


def dequantize(q, scale):
    return torch.stack([q[c].float() * scale[c] for c in range(q.shape[0])])
