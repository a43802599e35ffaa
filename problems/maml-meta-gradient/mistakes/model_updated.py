"""The model is changed: the function takes an outer SGD step on the model's own
parameters (or leaves them adapted). maml_meta_gradient must only compute the meta-loss
and meta-gradient; applying the update is the caller's job, and the model's parameters
must hold the same values afterwards.
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    losses = []
    for x_s, y_s, x_q, y_q in tasks:
        fast = params
        for _ in range(steps):
            loss = loss_fn(functional_call(model, fast, (x_s,)), y_s)
            grads = torch.autograd.grad(
                loss, list(fast.values()), create_graph=not first_order, materialize_grads=True
            )
            fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads)}
        losses.append(loss_fn(functional_call(model, fast, (x_q,)), y_q))
    meta_loss = torch.stack(losses).mean()
    grads = torch.autograd.grad(meta_loss, list(params.values()), materialize_grads=True)
    with torch.no_grad():
        for p, g in zip(params.values(), grads):
            p -= inner_lr * g  # an outer step nobody asked for
    return meta_loss.detach(), dict(zip(params, grads))
