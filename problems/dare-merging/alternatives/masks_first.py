"""DARE in two passes: draw every mask first (in the contract's order), then merge each key
with one stacked sum over the models."""

import torch


def dare_merge(pretrained, finetuned, drop_rate, scale, generator):
    if len(finetuned) == 0 or not 0.0 <= drop_rate < 1.0:
        raise ValueError("need models and a drop_rate in [0, 1)")
    for ft in finetuned:
        if sorted(ft) != sorted(pretrained):
            raise ValueError("keys differ")
        for k in ft:
            if ft[k].shape != pretrained[k].shape:
                raise ValueError(f"shape of {k} differs")
    keys = [k for k in pretrained if torch.is_floating_point(pretrained[k])]
    masks = [
        {k: torch.rand(pretrained[k].shape, generator=generator) >= drop_rate for k in keys}
        for _ in finetuned
    ]
    out = {}
    for k, p in pretrained.items():
        if k not in keys:
            out[k] = p.detach().clone()
            continue
        taus = torch.stack([(ft[k] - p).double() for ft in finetuned])
        kept = torch.stack([m[k] for m in masks])
        total = (taus * kept).sum(0) / (1.0 - drop_rate)
        out[k] = (p.double() + scale * total).to(p.dtype)
    return out
