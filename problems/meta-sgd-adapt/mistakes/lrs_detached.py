"""The learning rates are used as constants (`.detach()`, `.item()`, `.data` or a copy):
θ' has the right values, but no gradient reaches α, so Meta-SGD cannot learn its
learning rates — it becomes MAML with a fixed, per-entry step size.
"""

import torch
from torch.func import functional_call


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    return {n: p - lrs[n].detach() * g for (n, p), g in zip(params.items(), grads)}
