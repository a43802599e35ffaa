"""The step has the wrong sign (θ + α ⊙ ∇θ): that is gradient ascent on the support loss."""

import torch
from torch.func import functional_call


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    return {n: p + lrs[n] * g for (n, p), g in zip(params.items(), grads)}
