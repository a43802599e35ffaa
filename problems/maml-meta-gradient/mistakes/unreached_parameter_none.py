"""A parameter the meta-loss does not reach has None in meta_grad: it must get zeros of its
shape. `torch.autograd.grad(..., allow_unused=True)` returns None for it; replace that by
`torch.zeros_like(p)` (or pass `materialize_grads=True`).
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    total = 0.0
    for x_s, y_s, x_q, y_q in tasks:
        fast = params
        for _ in range(steps):
            loss = loss_fn(functional_call(model, fast, (x_s,)), y_s)
            grads = torch.autograd.grad(
                loss, list(fast.values()), create_graph=not first_order, allow_unused=True
            )
            fast = {
                n: p if g is None else p - inner_lr * g for (n, p), g in zip(fast.items(), grads)
            }
        total = total + loss_fn(functional_call(model, fast, (x_q,)), y_q)
    meta_loss = total / len(tasks)
    grads = torch.autograd.grad(meta_loss, list(params.values()), allow_unused=True)
    return meta_loss.detach(), dict(zip(params, grads))
