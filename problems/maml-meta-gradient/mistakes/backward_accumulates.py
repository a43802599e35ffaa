"""The meta-gradient is read from `.grad` after `meta_loss.backward()`, which ADDS into
whatever `.grad` already held: a stale gradient from an earlier step is returned with it.
Zero the gradients first, or use `torch.autograd.grad`, which returns the gradient alone.
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
    meta_loss.backward()
    return meta_loss.detach(), {
        n: p.grad.clone() if p.grad is not None else torch.zeros_like(p) for n, p in params.items()
    }
