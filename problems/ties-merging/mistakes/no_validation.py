"""Invalid inputs are not rejected: an empty list of models, mismatched keys or shapes, and a
density outside (0, 1] must raise ValueError rather than merge whatever matches.
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
    out = {}
    for k, v in pretrained.items():
        if not v.is_floating_point() or not finetuned:
            out[k] = v.clone()
            continue
        d = min(max(density, 0.0), 1.0)
        t = torch.stack([_trim(ft.get(k, v) - v, d).double() for ft in finetuned])
        sign = t.sum(0).sign()
        agree = (t.sign() == sign) & (t != 0)
        merged = (t * agree).sum(0) / agree.sum(0).clamp(min=1)
        out[k] = (v.double() + scale * merged).to(v.dtype)
    return out
