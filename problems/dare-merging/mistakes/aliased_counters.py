"""A returned tensor is an input tensor (the non-floating tensors such as num_batches_tracked were
returned as they are, not cloned): changing the merged model would change the pretrained one.
Return new tensors.
"""

import torch


def _check(pretrained, finetuned, drop_rate):
    if not finetuned or not 0 <= drop_rate < 1:
        raise ValueError("invalid")
    for ft in finetuned:
        if set(ft) != set(pretrained) or any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("incompatible")


def dare_merge(pretrained, finetuned, drop_rate, scale, generator):
    _check(pretrained, finetuned, drop_rate)
    floating = [k for k, v in pretrained.items() if v.is_floating_point()]
    total = {k: torch.zeros_like(pretrained[k], dtype=torch.float64) for k in floating}
    for ft in finetuned:
        for k in floating:
            tau = (ft[k] - pretrained[k]).double()
            keep = torch.rand(tau.shape, generator=generator) >= drop_rate
            total[k] += torch.where(keep, tau / (1 - drop_rate), 0.0)
    return {
        k: (v.double() + scale * total[k]).to(v.dtype) if k in total else v
        for k, v in pretrained.items()
    }
