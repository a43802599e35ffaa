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
    if weights is None:
        weights = [1.0 / len(state_dicts)] * len(state_dicts)
    out = {}
    for k, v in state_dicts[0].items():
        if v.is_floating_point():
            out[k] = sum(w * sd[k] for w, sd in zip(weights, state_dicts, strict=False)).to(v.dtype)
        else:
            out[k] = v.clone()
    return out
