"""Only the head's parameters are returned: the result must hold every name of
model.named_parameters(), the body's entries equal to the model's parameters.
"""

import torch
from torch import nn
from torch.func import functional_call


def anil_adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise ValueError("need an nn.Sequential body + head")
    if steps < 0:
        raise ValueError("steps must be >= 0")
    head = model[-1]
    fast = dict(head.named_parameters())
    if not fast:
        raise ValueError("the head has no parameters")
    features = model[:-1](x)
    for _ in range(steps):
        if first_order:
            src = {n: p.detach().requires_grad_() for n, p in fast.items()}
            loss = loss_fn(functional_call(head, src, (features.detach(),)), y)
        else:
            src = fast
            loss = loss_fn(functional_call(head, src, (features,)), y)
        grads = torch.autograd.grad(loss, list(src.values()), create_graph=not first_order)
        fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads, strict=True)}
    prefix = f"{len(model) - 1}."
    return {prefix + n: p for n, p in fast.items()}
