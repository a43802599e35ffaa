"""Correct, functional: torch.func.grad for the inner steps and torch.lerp to interpolate."""

import torch
from torch.func import functional_call, grad


def reptile_step(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr):
    theta = {n: p.detach() for n, p in model.named_parameters()}

    def loss(params):
        return loss_fn(functional_call(model, params, (x,)), y)

    phi = dict(theta)
    for _ in range(inner_steps):
        g = grad(loss)(phi)
        phi = {n: phi[n] - inner_lr * g[n] for n in phi}
    return {n: torch.lerp(theta[n], phi[n], outer_lr) for n in theta}
