"""First-order when second order was asked: the inner gradients are computed without
`create_graph=True`, so the Hessian terms (I − α·H) of the meta-gradient are dropped and
you return the first-order MAML gradient even for first_order=False.
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
            grads = torch.autograd.grad(loss, list(fast.values()), materialize_grads=True)
            fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads)}
        losses.append(loss_fn(functional_call(model, fast, (x_q,)), y_q))
    meta_loss = torch.stack(losses).mean()
    grads = torch.autograd.grad(meta_loss, list(params.values()), materialize_grads=True)
    return meta_loss.detach(), dict(zip(params, grads))
