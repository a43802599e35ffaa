"""The eps is added into the caller's Fishers in place (`f.add_(eps)` or `f += eps`): the
Fisher dicts passed in are changed, and a second merge with them adds eps again. Compute
F + eps into a new tensor; do not modify the inputs.
"""

import torch


def fisher_merge(state_dicts, fishers, eps=1e-8):
    if not state_dicts or len(fishers) != len(state_dicts):
        raise ValueError("need one Fisher per state dict")
    first = state_dicts[0]
    for sd in state_dicts[1:]:
        if set(sd) != set(first) or any(sd[k].shape != first[k].shape for k in first):
            raise ValueError("incompatible state dicts")
    for fisher in fishers:
        for k, f in fisher.items():
            if f.shape != first[k].shape:
                raise ValueError(f"Fisher for {k!r} has the wrong shape")
            f += eps
    out = {}
    for k, v0 in first.items():
        if not v0.is_floating_point():
            out[k] = v0.clone()
            continue
        num = torch.zeros(v0.shape, dtype=torch.float64)
        den = torch.zeros(v0.shape, dtype=torch.float64)
        for sd, fisher in zip(state_dicts, fishers):
            f = fisher[k].to(torch.float64) if k in fisher else torch.full(v0.shape, eps)
            num += f * sd[k].to(torch.float64)
            den += f
        out[k] = (num / den).to(v0.dtype)
    return out
