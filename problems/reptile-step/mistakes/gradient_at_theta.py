"""Every inner step uses the gradient at θ (θ − k·α·∇L(θ)) instead of re-evaluating it at
the current φ: that is k times one joint-training step, and it loses exactly the
higher-order terms that make Reptile differ from pretraining on all tasks.
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
    params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    return {
        n: (p - outer_lr * inner_steps * inner_lr * grads[n]).detach() for n, p in params.items()
    }
