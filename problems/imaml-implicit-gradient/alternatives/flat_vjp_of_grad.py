"""One flat parameter vector; Hessian-vector products as vector-Jacobian products of the
gradient (torch.func.vjp of torch.func.grad: H is symmetric); CG on flat vectors with
torch.dot."""

import torch
from torch.func import functional_call, grad, vjp


def imaml_meta_gradient(
    model, adapted, x_support, y_support, x_query, y_query, loss_fn, lam, cg_steps
):
    named = list(model.named_parameters())
    if sorted(adapted) != sorted(n for n, _ in named):
        raise ValueError("adapted must be keyed like the model's parameters")
    if any(adapted[n].shape != p.shape for n, p in named):
        raise ValueError("shape mismatch")
    if lam <= 0 or cg_steps < 1:
        raise ValueError("lam must be > 0 and cg_steps >= 1")
    names = [n for n, _ in named]
    shapes = [p.shape for _, p in named]
    sizes = [p.numel() for _, p in named]

    offsets = [sum(sizes[:i]) for i in range(len(sizes))]

    def unflat(vec):
        return {
            n: vec.narrow(0, o, k).view(s)
            for n, o, k, s in zip(names, offsets, sizes, shapes, strict=True)
        }

    phi = torch.cat([adapted[n].detach().reshape(-1) for n in names])

    def support_loss(vec):
        return loss_fn(functional_call(model, unflat(vec), (x_support,)), y_support)

    def query_loss(vec):
        return loss_fn(functional_call(model, unflat(vec), (x_query,)), y_query)

    g = grad(query_loss)(phi)

    _, pullback = vjp(grad(support_loss), phi)

    def apply(v):
        return v + pullback(v)[0] / lam

    x = torch.zeros_like(g)
    r = g.clone()
    p = g.clone()
    rr = torch.dot(r, r)
    for _ in range(cg_steps):
        if rr == 0:
            break
        ap = apply(p)
        alpha = rr / torch.dot(p, ap)
        x = x + alpha * p
        r = r - alpha * ap
        rr_new = torch.dot(r, r)
        p = r + (rr_new / rr) * p
        rr = rr_new
    return {n: t.detach().clone() for n, t in unflat(x).items()}
