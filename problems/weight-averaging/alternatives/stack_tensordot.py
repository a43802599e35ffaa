"""Stack each key's tensors and contract the stack with the normalised weights."""

import torch


def average_state_dicts(state_dicts, weights=None):
    if not state_dicts:
        raise ValueError("no state dicts")
    keys = list(state_dicts[0])
    for sd in state_dicts:
        if sorted(sd) != sorted(keys):
            raise ValueError("state dicts have different keys")
        for k in keys:
            if sd[k].shape != state_dicts[0][k].shape:
                raise ValueError(f"shape mismatch at {k}")
    w = (
        torch.ones(len(state_dicts))
        if weights is None
        else torch.tensor(weights, dtype=torch.float64)
    )
    if w.numel() != len(state_dicts) or (w < 0).any() or w.sum() == 0:
        raise ValueError("bad weights")
    w = w.double() / w.double().sum()
    out = {}
    for k in keys:
        first = state_dicts[0][k]
        if first.is_floating_point():
            stack = torch.stack([sd[k].double() for sd in state_dicts])
            out[k] = torch.tensordot(w, stack, dims=1).to(first.dtype)
        else:
            out[k] = first.clone()
    return out
