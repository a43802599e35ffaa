"""Normalise the Fisher weights first (a softmax-free "responsibility" per model and entry),
then take the weighted sum; accumulates in float32 (float64 tensors in float64)."""

import torch


def fisher_merge(state_dicts, fishers, eps=1e-8):
    n = len(state_dicts)
    if n == 0:
        raise ValueError("nothing to merge")
    if len(fishers) != n:
        raise ValueError("wrong number of Fishers")
    keys = set(state_dicts[0])
    for sd in state_dicts[1:]:
        if set(sd) != keys:
            raise ValueError("different keys")
    out = {}
    for key, ref in state_dicts[0].items():
        for sd in state_dicts[1:]:
            if sd[key].shape != ref.shape:
                raise ValueError("different shapes")
        if not torch.is_floating_point(ref):
            out[key] = ref.clone()
            continue
        acc = torch.float64 if ref.dtype == torch.float64 else torch.float32
        zero = torch.zeros(ref.shape, dtype=acc)
        fs = []
        for f in fishers:
            if key in f and f[key].shape != ref.shape:
                raise ValueError("bad Fisher")
            fs.append(f[key].to(acc) if key in f else zero)  # missing entry = zero Fisher
        total = sum(f + eps for f in fs)
        merged = torch.zeros(ref.shape, dtype=acc)
        for sd, f in zip(state_dicts, fs, strict=True):
            merged += (f + eps) / total * sd[key].to(acc)
        out[key] = merged.to(ref.dtype)
    return out
