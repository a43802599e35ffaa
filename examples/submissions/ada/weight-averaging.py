import torch


def average_state_dicts(state_dicts, weights=None):
    if len(state_dicts) == 0:
        raise ValueError("empty")
    if weights is None:
        weights = [1.0] * len(state_dicts)
    if len(weights) != len(state_dicts):
        raise ValueError("one weight per state dict")
    if any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    ref = state_dicts[0]
    for sd in state_dicts[1:]:
        if set(sd) != set(ref) or any(sd[k].shape != ref[k].shape for k in ref):
            raise ValueError("incompatible state dicts")
    total = float(sum(weights))
    out = {}
    for k, v in ref.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        acc_dtype = torch.float64 if v.dtype == torch.float64 else torch.float32
        acc = torch.zeros(v.shape, dtype=acc_dtype)
        for w, sd in zip(weights, state_dicts, strict=True):
            acc += sd[k].to(acc_dtype) * (w / total)
        out[k] = acc.to(v.dtype)
    return out
