"""torch.autograd.functional.hvp for each product (it rebuilds the support gradient every
time: slower, same numbers); the vectors kept as tuples of tensors."""

import torch
from torch.autograd.functional import hvp
from torch.func import functional_call


def imaml_meta_gradient(
    model, adapted, x_support, y_support, x_query, y_query, loss_fn, lam, cg_steps
):
    names = [n for n, _ in model.named_parameters()]
    if set(adapted) != set(names):
        raise ValueError("keys")
    for n, p in model.named_parameters():
        if tuple(adapted[n].shape) != tuple(p.shape):
            raise ValueError("shapes")
    if not lam > 0:
        raise ValueError("lam")
    if cg_steps < 1:
        raise ValueError("cg_steps")
    phi = tuple(adapted[n].detach().clone() for n in names)

    def loss_at(x, y):
        return lambda *ps: loss_fn(
            functional_call(model, dict(zip(names, ps, strict=True)), (x,)), y
        )

    leaves = tuple(t.clone().requires_grad_() for t in phi)
    g = torch.autograd.grad(loss_at(x_query, y_query)(*leaves), leaves)

    def dot(a, b):
        return sum(torch.sum(u * v) for u, v in zip(a, b, strict=True))

    def apply(v):
        _, hv = hvp(loss_at(x_support, y_support), phi, v)
        return tuple(vi + hi / lam for vi, hi in zip(v, hv, strict=True))

    x = tuple(torch.zeros_like(t) for t in g)
    r, p = g, g
    rr = dot(r, r)
    for _ in range(cg_steps):
        if rr == 0:
            break
        ap = apply(p)
        a = rr / dot(p, ap)
        x = tuple(xi + a * pi for xi, pi in zip(x, p, strict=True))
        r = tuple(ri - a * api for ri, api in zip(r, ap, strict=True))
        new = dot(r, r)
        p = tuple(ri + (new / rr) * pi for ri, pi in zip(r, p, strict=True))
        rr = new
    return dict(zip(names, (t.detach() for t in x), strict=True))
