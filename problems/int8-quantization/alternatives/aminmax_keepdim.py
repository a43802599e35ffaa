"""Vectorised with aminmax and keepdim: the scale is computed in the weight's own shape and
flattened only at the end."""

import torch


def quantize_per_channel(weight):
    w = weight.detach().to(torch.float32)
    rows = w.reshape(w.shape[0], -1)
    lo, hi = torch.aminmax(rows, dim=1, keepdim=True)
    max_abs = torch.maximum(-lo, hi)
    scale = torch.where(max_abs == 0, torch.ones_like(max_abs), max_abs / 127.0)
    q = (rows / scale).round().clamp_(-127, 127).to(torch.int8).reshape(w.shape)
    return q, scale.reshape(-1)


def dequantize(q, scale):
    flat = q.reshape(q.shape[0], -1).to(torch.float32) * scale.reshape(-1, 1)
    return flat.reshape(q.shape)
