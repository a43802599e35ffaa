"""The body is adapted too: that is MAML. ANIL (Almost No Inner Loop) adapts only the head;
the body's entries of the result are the model's own parameters.
"""

import torch
from torch import nn
from torch.func import functional_call


def anil_adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    if not isinstance(model, nn.Sequential) or len(model) < 2 or steps < 0:
        raise ValueError("bad model or steps")
    if not list(model[-1].parameters()):
        raise ValueError("the head has no parameters")
    params = dict(model.named_parameters())
    for _ in range(steps):
        src = {n: p.detach().requires_grad_() for n, p in params.items()} if first_order else params
        loss = loss_fn(functional_call(model, src, (x,)), y)
        grads = torch.autograd.grad(loss, list(src.values()), create_graph=not first_order)
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads, strict=True)}
    return params
