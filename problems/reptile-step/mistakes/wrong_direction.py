"""The meta-update has the wrong sign: θ − ε·(φ − θ) moves the initialisation away from
the task's fine-tuned weights. The Reptile direction (φ − θ) already points downhill.
"""

import torch
from torch.func import functional_call


def _sgd(model, x, y, loss_fn, inner_lr, steps):
    params = {n: p.detach().requires_grad_() for n, p in model.named_parameters()}
    for _ in range(steps):
        loss = loss_fn(functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()))
        params = {
            n: (p - inner_lr * g).detach().requires_grad_()
            for (n, p), g in zip(params.items(), grads)
        }
    return {n: p.detach() for n, p in params.items()}


def reptile_step(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr):
    phi = _sgd(model, x, y, loss_fn, inner_lr, inner_steps)
    return {n: (p - outer_lr * (phi[n] - p)).detach() for n, p in model.named_parameters()}
