"""Incompatible inputs are not rejected: differing keys or shapes, an empty list or bad
weights must raise ValueError. zip() and broadcasting silently produce a state dict that
is not an average of anything.
"""


def average_state_dicts(state_dicts, weights=None):
    if weights is None:
        weights = [1.0] * len(state_dicts)
    total = sum(weights) or 1.0
    out = {}
    for k, v in state_dicts[0].items() if state_dicts else []:
        if v.is_floating_point():
            out[k] = sum(
                w / total * sd.get(k, v).double() for w, sd in zip(weights, state_dicts)
            ).to(v.dtype)
        else:
            out[k] = v.clone()
    return out
