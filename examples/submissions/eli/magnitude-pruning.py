import torch
from torch import nn


def magnitude_prune(model, sparsity, scope="global"):
    if sparsity < 0 or sparsity > 1:
        raise ValueError("bad sparsity")
    if scope not in ("global", "layer"):
        raise ValueError("bad scope")
    params = [(key, w) for key, w in model.named_parameters() if key.endswith("weight")]
    mods = dict(model.named_modules())
    params = [
        (key, w)
        for key, w in params
        if isinstance(mods[key.rpartition(".")[0]], (nn.Linear, nn.Conv2d))
    ]
    if scope == "global":
        result = dict(
            zip(
                [key for key, _ in params],
                build_masks([w for _, w in params], sparsity),
                strict=True,
            )
        )
    else:
        result = {key: build_masks([w], sparsity)[0] for key, w in params}
    with torch.no_grad():
        for key, w in params:
            w[~result[key]] = 0.0
    return result


def build_masks(ws, sparsity):
    values = torch.cat([w.detach().abs().reshape(-1) for w in ws])
    n_prune = round(sparsity * values.numel())
    if n_prune == 0:
        alive = torch.ones_like(values, dtype=torch.bool)
    else:
        cut = torch.kthvalue(values, n_prune).values
        alive = values > cut
        ties = torch.nonzero(values == cut).flatten()
        below = int((values < cut).sum())
        alive[ties[n_prune - below :]] = True
    masks, offset = [], 0
    for w in ws:
        masks.append(alive[offset : offset + w.numel()].reshape(w.shape))
        offset += w.numel()
    return masks
