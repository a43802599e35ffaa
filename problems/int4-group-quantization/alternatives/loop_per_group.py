"""Written differently: a loop over rows and groups, each group quantized on its own, codes
packed into bytes with Python integers."""

import torch


def quantize_int4(weight, group_size):
    if weight.ndim != 2 or group_size <= 0 or group_size % 2 != 0:
        raise ValueError("need a 2-D weight and a positive even group size")
    rows, cols = weight.shape
    if cols % group_size != 0:
        raise ValueError("group size must divide the number of inputs")
    w = weight.detach().float()
    n_groups = cols // group_size
    scales = torch.empty(rows, n_groups)
    zeros = torch.empty(rows, n_groups, dtype=torch.uint8)
    packed = torch.empty(rows, cols // 2, dtype=torch.uint8)
    for r in range(rows):
        codes = []
        for k in range(n_groups):
            g = w[r, k * group_size : (k + 1) * group_size]
            lo = torch.minimum(g.min(), torch.tensor(0.0))
            hi = torch.maximum(g.max(), torch.tensor(0.0))
            s = (hi - lo) / 15 if hi > lo else torch.tensor(1.0)
            z = torch.round(-lo / s)
            q = torch.clamp(torch.round(g / s) + z, 0, 15)
            scales[r, k], zeros[r, k] = s, int(z)
            codes += [int(c) for c in q]
        for j in range(cols // 2):
            packed[r, j] = codes[2 * j] + 16 * codes[2 * j + 1]
    return packed, scales, zeros


def dequantize_int4(packed, scales, zeros):
    rows, n_groups = scales.shape
    cols = packed.shape[1] * 2
    group_size = cols // n_groups
    out = torch.empty(rows, cols)
    for r in range(rows):
        for j in range(cols // 2):
            byte = int(packed[r, j])
            for i, code in ((2 * j, byte % 16), (2 * j + 1, byte // 16)):
                k = i // group_size
                out[r, i] = (code - float(zeros[r, k])) * scales[r, k]
    return out
