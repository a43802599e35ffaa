"""TIES with the trim written as a rank: an entry is kept when fewer than k entries beat it
(a larger magnitude, or an equal one at a lower index). Merging one entry at a time is
written with torch.where."""

import torch


def _trim(tau, density):
    flat = tau.flatten()
    k = round(density * flat.numel())
    mag = flat.abs()
    idx = torch.arange(flat.numel())
    beats = (mag[None, :] > mag[:, None]) | (
        (mag[None, :] == mag[:, None]) & (idx[None, :] < idx[:, None])
    )
    rank = beats.sum(dim=1)
    return torch.where(rank < k, flat, torch.zeros_like(flat)).reshape(tau.shape)


def ties_merge(pretrained, finetuned, density, scale):
    if len(finetuned) == 0 or density <= 0 or density > 1:
        raise ValueError("need models and a density in (0, 1]")
    for ft in finetuned:
        if sorted(ft) != sorted(pretrained):
            raise ValueError("keys differ")
        for k in ft:
            if ft[k].shape != pretrained[k].shape:
                raise ValueError(f"shape of {k} differs")
    out = {}
    for k, p in pretrained.items():
        if not torch.is_floating_point(p):
            out[k] = p.detach().clone()
            continue
        trimmed = [_trim((ft[k] - p).double(), density) for ft in finetuned]
        elected = torch.sign(sum(trimmed))
        total = torch.zeros_like(elected)
        count = torch.zeros_like(elected)
        for t in trimmed:
            agrees = (t != 0) & (torch.sign(t) == elected)
            total = total + torch.where(agrees, t, torch.zeros_like(t))
            count = count + agrees.double()
        mean = torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))
        out[k] = (p.double() + scale * mean).to(p.dtype)
    return out
