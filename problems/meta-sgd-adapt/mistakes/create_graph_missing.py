"""The inner gradient is computed without `create_graph=True`: θ' is right and still
differentiable with respect to α, but the second-order terms with respect to θ are lost
(the gradient reaching θ is the first-order one).
"""

import torch
from torch.func import functional_call


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    loss = loss_fn(functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()))
    return {n: p - lrs[n] * g for (n, p), g in zip(params.items(), grads)}
