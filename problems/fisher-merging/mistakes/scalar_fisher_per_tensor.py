"""One weight per model and tensor (the mean of its Fisher) is not Fisher merging: the
average is ELEMENTWISE, each entry weighted by its own Fisher value."""

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
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        thetas = [sd[k].double() for sd in state_dicts]
        fs = [
            f[k].double() if k in f else torch.zeros(v.shape, dtype=torch.float64) for f in fishers
        ]
        ws = [f.mean() + eps for f in fs]
        out[k] = (sum(w * t for w, t in zip(ws, thetas)) / sum(ws)).to(v.dtype)
    return out
