"""The adaptation is carried over from one task to the next: task 2 starts from task 1's
adapted parameters instead of from θ. Every task must adapt from the same initialisation
— that shared starting point is exactly what MAML meta-learns.
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    fast = params
    losses = []
    for x_s, y_s, x_q, y_q in tasks:
        for _ in range(steps):  # starts from the previous task's fast weights
            loss = loss_fn(functional_call(model, fast, (x_s,)), y_s)
            grads = torch.autograd.grad(
                loss, list(fast.values()), create_graph=not first_order, materialize_grads=True
            )
            fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads)}
        losses.append(loss_fn(functional_call(model, fast, (x_q,)), y_q))
    meta_loss = torch.stack(losses).mean()
    grads = torch.autograd.grad(meta_loss, list(params.values()), materialize_grads=True)
    return meta_loss.detach(), dict(zip(params, grads))
