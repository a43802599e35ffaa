import torch
from torch import nn


def _masks_for(tensors, sparsity):
    flat = torch.cat([t.detach().abs().reshape(-1) for t in tensors])
    k = round(sparsity * flat.numel())
    if k == 0:
        keep = torch.ones_like(flat, dtype=torch.bool)
    else:
        thr = torch.kthvalue(flat, k).values
        keep = flat > thr
        tied = torch.nonzero(flat == thr).flatten()
        n_below = int((flat < thr).sum())
        keep[tied[k - n_below :]] = True
    out, start = [], 0
    for t in tensors:
        out.append(keep[start : start + t.numel()].reshape(t.shape))
        start += t.numel()
    return out


def magnitude_prune(model, sparsity, scope="global"):
    if sparsity < 0 or sparsity > 1:
        raise ValueError("bad sparsity")
    if scope not in ("global", "layer"):
        raise ValueError("bad scope")
    named = [(n, p) for n, p in model.named_parameters() if n.endswith("weight")]
    layers = dict(model.named_modules())
    named = [
        (n, p) for n, p in named if isinstance(layers[n.rpartition(".")[0]], (nn.Linear, nn.Conv2d))
    ]
    if scope == "global":
        masks = dict(
            zip([n for n, _ in named], _masks_for([p for _, p in named], sparsity), strict=True)
        )
    else:
        masks = {n: _masks_for([p], sparsity)[0] for n, p in named}
    with torch.no_grad():
        for n, p in named:
            p[~masks[n]] = 0.0
    return masks
