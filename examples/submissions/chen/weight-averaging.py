import torch


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
    w = torch.tensor(weights if weights is not None else [1.0] * len(state_dicts))
    w = w / w.sum()
    return {
        k: sum(wi * sd[k].float() for wi, sd in zip(w, state_dicts, strict=False))
        if v.is_floating_point()
        else v.clone()
        for k, v in state_dicts[0].items()
    }
