"""Stack the models and their Fishers per key and reduce over the stack dimension."""

import torch


def fisher_merge(state_dicts, fishers, eps=1e-8):
    if not state_dicts or len(fishers) != len(state_dicts):
        raise ValueError("need one Fisher per state dict, and at least one")
    first = state_dicts[0]
    for sd in state_dicts:
        if sd.keys() != first.keys() or any(sd[k].shape != first[k].shape for k in first):
            raise ValueError("state dicts do not match")
    merged = {}
    for key, ref in first.items():
        if not ref.is_floating_point():
            merged[key] = ref.clone()
            continue
        if any(key in f and f[key].shape != ref.shape for f in fishers):
            raise ValueError(f"the Fisher of {key} has the wrong shape")
        theta = torch.stack([sd[key].double() for sd in state_dicts])
        zero = torch.zeros(ref.shape, dtype=torch.float64)  # no entry: zero Fisher
        weight = torch.stack([f[key].double() if key in f else zero for f in fishers]) + eps
        merged[key] = ((weight * theta).sum(0) / weight.sum(0)).to(ref.dtype)
    return merged
