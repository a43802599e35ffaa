"""The query gradient is returned as it is: that is first-order iMAML (dphi/dtheta taken as
I); the implicit meta-gradient solves (I + H / lambda) v = g.
"""

import torch
from torch.func import functional_call


def imaml_meta_gradient(
    model, adapted, x_support, y_support, x_query, y_query, loss_fn, lam, cg_steps
):
    names = [n for n, _ in model.named_parameters()]
    if set(adapted) != set(names):
        raise ValueError("adapted must be keyed like the model's parameters")
    if any(adapted[n].shape != p.shape for n, p in model.named_parameters()):
        raise ValueError("shape mismatch")
    if lam <= 0 or cg_steps < 1:
        raise ValueError("lam must be > 0 and cg_steps >= 1")
    phi = [adapted[n].detach().requires_grad_() for n in names]
    at_phi = dict(zip(names, phi, strict=True))
    query = loss_fn(functional_call(model, at_phi, (x_query,)), y_query)
    g = torch.autograd.grad(query, phi)
    h_leaves, at_h = phi, at_phi
    support = loss_fn(functional_call(model, at_h, (x_support,)), y_support)
    grad_s = torch.autograd.grad(support, h_leaves, create_graph=True)

    def apply(v):
        hv = torch.autograd.grad(grad_s, h_leaves, grad_outputs=v, retain_graph=True)
        return [vi + hi / lam for vi, hi in zip(v, hv, strict=True)]

    def dot(a, b):
        return sum((u * w).sum() for u, w in zip(a, b, strict=True))

    x = [torch.zeros_like(t) for t in g]
    r = list(g)
    p = list(g)
    rr = dot(r, r)
    for _ in range(cg_steps):
        if rr == 0:
            break
        ap = apply(p)
        alpha = rr / dot(p, ap)
        x = [xi + alpha * pi for xi, pi in zip(x, p, strict=True)]
        r = [ri - alpha * ai for ri, ai in zip(r, ap, strict=True)]
        rr_new = dot(r, r)
        p = [ri + (rr_new / rr) * pi for ri, pi in zip(r, p, strict=True)]
        rr = rr_new
    return {n: gi.detach() for n, gi in zip(names, g, strict=True)}
