"""Correct, the way many training loops write it: one backward pass per task into .grad,
each task's query loss divided by the number of tasks, then read the accumulated .grad.

(.grad may be touched by the contract; the values of the parameters are not.)
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    named = list(model.named_parameters())
    for _, p in named:
        p.grad = None
    total = 0.0
    for x_s, y_s, x_q, y_q in tasks:
        fast = {n: p for n, p in named}
        for _ in range(steps):
            support = loss_fn(functional_call(model, fast, (x_s,)), y_s)
            grads = torch.autograd.grad(
                support, list(fast.values()), create_graph=not first_order, materialize_grads=True
            )
            fast = {n: w - inner_lr * g for (n, w), g in zip(fast.items(), grads, strict=True)}
        query = loss_fn(functional_call(model, fast, (x_q,)), y_q) / len(tasks)
        query.backward()
        total += query.item()
    grads = {n: p.grad.clone() if p.grad is not None else torch.zeros_like(p) for n, p in named}
    dtype = named[0][1].dtype
    return torch.tensor(total, dtype=dtype), grads
