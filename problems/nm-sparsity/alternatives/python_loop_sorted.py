"""Written differently: a plain Python loop over rows and groups, sorted by (-|w|, index)."""

import torch


def nm_mask(weight, n=2, m=4):
    if weight.ndim == 0 or n < 1 or n > m:
        raise ValueError("bad arguments")
    flat = weight.detach().reshape(-1, weight.shape[-1])
    keep = torch.zeros(flat.shape, dtype=torch.bool)
    for row in range(flat.shape[0]):
        values = flat[row].abs().tolist()
        for start in range(0, len(values), m):
            idx = range(start, min(start + m, len(values)))
            for i in sorted(idx, key=lambda j: (-values[j], j))[:n]:
                keep[row, i] = True
    return keep.reshape(weight.shape)
