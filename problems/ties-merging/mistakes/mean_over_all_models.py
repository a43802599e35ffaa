"""The agreeing entries are divided by the number of models: the disjoint mean divides by the
number of models whose trimmed entry is nonzero and has the elected sign, so an entry kept by
one model keeps its full size.
"""

import torch


def _check(pretrained, finetuned, density):
    if not finetuned or not 0 < density <= 1:
        raise ValueError("invalid")
    for ft in finetuned:
        if set(ft) != set(pretrained) or any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("incompatible")


def _trim(tau, density):
    flat = tau.reshape(-1)
    k = round(density * flat.numel())
    order = torch.sort(flat.abs(), descending=True, stable=True).indices[:k]
    out = torch.zeros_like(flat)
    out[order] = flat[order]
    return out.reshape(tau.shape)


def ties_merge(pretrained, finetuned, density, scale):
    _check(pretrained, finetuned, density)
    out = {}
    for k, v in pretrained.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        t = torch.stack([_trim(ft[k] - v, density).double() for ft in finetuned])
        sign = t.sum(0).sign()
        agree = (t.sign() == sign) & (t != 0)
        merged = (t * agree).sum(0) / len(finetuned)
        out[k] = (v.double() + scale * merged).to(v.dtype)
    return out
