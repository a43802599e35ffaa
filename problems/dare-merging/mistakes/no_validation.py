"""Invalid inputs are not rejected: an empty list of models, mismatched keys or shapes, and a
drop_rate outside [0, 1) must raise ValueError (at drop_rate 1 the rescaling divides by zero).
"""

import torch


def _check(pretrained, finetuned, drop_rate):
    if not finetuned or not 0 <= drop_rate < 1:
        raise ValueError("invalid")
    for ft in finetuned:
        if set(ft) != set(pretrained) or any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("incompatible")


def dare_merge(pretrained, finetuned, drop_rate, scale, generator):
    floating = [k for k, v in pretrained.items() if v.is_floating_point()]
    total = {k: torch.zeros_like(pretrained[k], dtype=torch.float64) for k in floating}
    for ft in finetuned:
        for k in floating:
            tau = (ft.get(k, pretrained[k]) - pretrained[k]).double()
            keep = torch.rand(pretrained[k].shape, generator=generator) >= drop_rate
            total[k] += torch.where(keep, tau / max(1 - drop_rate, 1e-3), 0.0)
    return {
        k: (v.double() + scale * total[k]).to(v.dtype) if k in total else v.clone()
        for k, v in pretrained.items()
    }
