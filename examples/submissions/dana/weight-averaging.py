import torch


def average_state_dicts(state_dicts, weights=None):
    if len(state_dicts) == 0:
        raise ValueError("empty")
    if weights is None:
        weights = [1.0] * len(state_dicts)
    if len(weights) != len(state_dicts):
        raise ValueError("one weight per state dict")
    if any(c < 0 for c in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    first = state_dicts[0]
    for m in state_dicts[1:]:
        if set(m) != set(first) or any(m[name].shape != first[name].shape for name in first):
            raise ValueError("incompatible state dicts")
    norm = float(sum(weights))
    merged = {}
    for name, tensor in first.items():
        if not tensor.is_floating_point():  # integer buffers are copied, not averaged
            merged[name] = tensor.clone()
            continue
        kind = torch.float64 if tensor.dtype == torch.float64 else torch.float32
        running = torch.zeros(tensor.shape, dtype=kind)
        for c, m in zip(weights, state_dicts, strict=True):
            running += m[name].to(kind) * (c / norm)
        merged[name] = running.to(tensor.dtype)
    return merged
