"""Support and query are swapped: the inner loop adapts on the query set and the
meta-loss is measured on the support set. The tuple is (x_support, y_support, x_query,
y_query): adapt on the first pair, evaluate on the second.
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    losses = []
    for x_q, y_q, x_s, y_s in tasks:  # swapped
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
    return meta_loss.detach(), dict(zip(params, grads))
