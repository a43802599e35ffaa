"""The query losses are summed over tasks instead of averaged: the meta-loss and the
meta-gradient are the reference times the number of tasks, so the effective outer
learning rate silently grows with the meta-batch size.
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
                loss, list(fast.values()), create_graph=not first_order, materialize_grads=True
            )
            fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads)}
        total = total + loss_fn(functional_call(model, fast, (x_q,)), y_q)
    grads = torch.autograd.grad(total, list(params.values()), materialize_grads=True)
    return total.detach(), dict(zip(params, grads))
