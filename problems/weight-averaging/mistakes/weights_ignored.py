"""The weights argument is ignored: with weights=[w_1, ..., w_n] the result is
Σ w_i θ_i / Σ w_i, not the uniform mean.
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
    n = len(state_dicts)
    return {
        k: (sum(sd[k].double() for sd in state_dicts) / n).to(v.dtype)
        if v.is_floating_point()
        else v.clone()
        for k, v in state_dicts[0].items()
    }
