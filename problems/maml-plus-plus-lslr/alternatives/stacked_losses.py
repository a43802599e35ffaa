"""The per-step query losses collected in a list and combined with a dot product; the
inner step written with torch.func.grad over a tuple of tensors."""

import torch
from torch.func import functional_call, grad


def lslr_multi_step_loss(model, lrs, x_support, y_support, x_query, y_query, loss_fn, step_weights):
    if step_weights.ndim != 1 or len(step_weights) == 0:
        raise ValueError("step_weights must be [K], K >= 1")
    names = [n for n, _ in model.named_parameters()]
    if sorted(lrs) != sorted(names):
        raise ValueError("lrs keys")
    k_steps = len(step_weights)
    if any(tuple(lrs[n].shape) != (k_steps,) for n in names):
        raise ValueError("lrs shapes")

    def support_loss(params):
        return loss_fn(
            functional_call(model, dict(zip(names, params, strict=True)), (x_support,)), y_support
        )

    params = tuple(p for _, p in model.named_parameters())
    query_losses = []
    for k in range(k_steps):
        g = grad(support_loss)(params)
        params = tuple(p - lrs[n][k] * gi for n, p, gi in zip(names, params, g, strict=True))
        out = functional_call(model, dict(zip(names, params, strict=True)), (x_query,))
        query_losses.append(loss_fn(out, y_query))
    return torch.dot(torch.stack(query_losses).to(step_weights.dtype), step_weights)
