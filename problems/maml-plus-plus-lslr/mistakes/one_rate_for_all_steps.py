"""The same rate is used at every step: LSLR learns a rate per parameter tensor *and per
step*; step k uses lrs[name][k - 1].
"""

import torch
from torch.func import functional_call


def lslr_multi_step_loss(model, lrs, x_support, y_support, x_query, y_query, loss_fn, step_weights):
    if step_weights.dim() != 1 or step_weights.numel() == 0:
        raise ValueError("step_weights must be [K]")
    K = step_weights.numel()
    names = [n for n, _ in model.named_parameters()]
    if set(lrs) != set(names) or any(lrs[n].shape != (K,) for n in names):
        raise ValueError("lrs must be keyed like the parameters, one rate per step")
    params = dict(model.named_parameters())
    total = 0.0
    for k in range(K):
        loss = loss_fn(functional_call(model, params, (x_support,)), y_support)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        params = {n: p - lrs[n][0] * g for (n, p), g in zip(params.items(), grads, strict=True)}
        total = total + step_weights[k] * loss_fn(
            functional_call(model, params, (x_query,)), y_query
        )
    return total
