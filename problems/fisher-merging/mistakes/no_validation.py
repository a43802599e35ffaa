"""Inconsistent inputs are not rejected: a wrong number of Fishers, a Fisher entry of the
wrong shape, or state dicts with different keys or shapes must raise ValueError.
"""

import torch


def fisher_merge(state_dicts, fishers, eps=1e-8):
    out = {}
    for k, v in state_dicts[0].items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        pairs = [
            (sd[k].double(), f.get(k, torch.zeros(())).double() + eps)
            for sd, f in zip(state_dicts, fishers)
            if k in sd
        ]
        out[k] = (sum(f * t for t, f in pairs) / sum(f for _, f in pairs)).to(v.dtype)
    return out
