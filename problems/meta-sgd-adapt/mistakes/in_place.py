"""The model's parameters are overwritten with θ' (in place, under no_grad): the caller's
model changes, and θ' is no longer a differentiable function of the original θ and α.
"""

import torch


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    loss = loss_fn(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    with torch.no_grad():
        for (n, p), g in zip(model.named_parameters(), grads):
            p -= lrs[n] * g
    return {n: p for n, p in model.named_parameters()}
