"""The result is not detached: θ + ε·(φ − θ) is returned with its autograd history, so
every outer iteration that feeds it back keeps the graph of all previous ones alive
(memory grows without bound) and gradients leak into the model's parameters. Reptile's
update is a plain value: wrap it in torch.no_grad() or call .detach().
"""

import torch
from torch.func import functional_call


def reptile_step(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr):
    theta = dict(model.named_parameters())
    phi = dict(theta)
    for _ in range(inner_steps):
        loss = loss_fn(functional_call(model, phi, (x,)), y)
        grads = torch.autograd.grad(loss, list(phi.values()))
        phi = {n: p - inner_lr * g for (n, p), g in zip(phi.items(), grads)}
    return {n: p + outer_lr * (phi[n] - p) for n, p in theta.items()}
