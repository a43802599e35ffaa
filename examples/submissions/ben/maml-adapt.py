import torch
from torch.func import functional_call


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    for _ in range(steps):
        loss = loss_fn(functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()))
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads, strict=False)}
    return params
