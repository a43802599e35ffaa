import torch


def average_state_dicts(models, coefs=None):
    if len(models) == 0:
        raise ValueError("empty")
    if coefs is None:
        coefs = [1.0] * len(models)
    if len(coefs) != len(models):
        raise ValueError("one weight per state dict")
    if any(c < 0 for c in coefs) or sum(coefs) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    first = models[0]
    for m in models[1:]:
        if set(m) != set(first) or any(m[name].shape != first[name].shape for name in first):
            raise ValueError("incompatible state dicts")
    norm = float(sum(coefs))
    merged = {}
    for name, tensor in first.items():
        if not tensor.is_floating_point():  # integer buffers are copied, not averaged
            merged[name] = tensor.clone()
            continue
        kind = torch.float64 if tensor.dtype == torch.float64 else torch.float32
        running = torch.zeros(tensor.shape, dtype=kind)
        for c, m in zip(coefs, models, strict=True):
            running += m[name].to(kind) * (c / norm)
        merged[name] = running.to(tensor.dtype)
    return merged
