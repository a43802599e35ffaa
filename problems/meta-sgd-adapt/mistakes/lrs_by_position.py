"""The learning rates are matched to the parameters by position (`zip(model.parameters(),
lrs.values())`) instead of by name: a dict's order need not follow the model's, and
broadcasting then silently applies a bias's rates to a weight. Look them up as lrs[name].
"""

import torch
from torch.func import functional_call


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    return {n: p - a * g for (n, p), a, g in zip(params.items(), lrs.values(), grads)}
