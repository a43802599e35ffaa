"""meta_grad leaves out a parameter the meta-loss does not reach (only those whose `.grad`
was set are collected): it must have one entry for every parameter of
`model.named_parameters()`, zeros for one the loss does not depend on.
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    for p in params.values():
        p.grad = None
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
    meta_loss = total / len(tasks)
    meta_loss.backward()
    return meta_loss.detach(), {n: p.grad.clone() for n, p in params.items() if p.grad is not None}
