"""The interpolation weights are swapped: φ + ε·(θ − φ) = (1 − ε)·φ + ε·θ keeps most of the
fine-tuned weights. Reptile keeps most of θ: θ + ε·(φ − θ) = (1 − ε)·θ + ε·φ.
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
    return {n: (phi[n] + outer_lr * (p - phi[n])).detach() for n, p in model.named_parameters()}
