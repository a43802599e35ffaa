"""One scalar learning rate is used for everything (e.g. the mean of α): Meta-SGD learns
a learning rate per parameter entry — α has the shape of θ and multiplies the gradient
elementwise (α ⊙ ∇θ), which is what lets it learn update directions, not just step sizes.
"""

import torch
from torch.func import functional_call


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    alpha = torch.cat([a.reshape(-1) for a in lrs.values()]).mean()
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    return {n: p - alpha * g for (n, p), g in zip(params.items(), grads)}
