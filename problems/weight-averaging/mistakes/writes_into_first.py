"""The average is written into the first state dict, which is then returned: the caller's
`state_dicts[0]` (a live model's weights, when it came from `state_dict()`) is overwritten.
Build a new dict of new tensors; do not modify the inputs.
"""

import torch


def average_state_dicts(state_dicts, weights=None):
    if not state_dicts:
        raise ValueError("empty list")
    first = state_dicts[0]
    for sd in state_dicts[1:]:
        if set(sd) != set(first) or any(sd[k].shape != first[k].shape for k in first):
            raise ValueError("incompatible state dicts")
    if weights is None:
        weights = [1.0] * len(state_dicts)
    if len(weights) != len(state_dicts) or min(weights) < 0 or sum(weights) == 0:
        raise ValueError("bad weights")
    total = float(sum(weights))
    for k, v in first.items():
        if v.is_floating_point():
            acc = sum(w / total * sd[k].to(torch.float64) for w, sd in zip(weights, state_dicts))
            v.copy_(acc.to(v.dtype))
    return first
