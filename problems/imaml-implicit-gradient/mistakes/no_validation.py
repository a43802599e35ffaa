"""No argument checks: adapted with missing, extra or reshaped entries, lam <= 0 or
cg_steps < 1 must raise ValueError (here they run on, returning a meaningless v, or fail
with another error).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call


def _dot(a: list[Tensor], b: list[Tensor]) -> Tensor:
    return sum((x * y).sum() for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def imaml_meta_gradient(
    model: nn.Module,
    adapted: dict[str, Tensor],
    x_support: Tensor,
    y_support: Tensor,
    x_query: Tensor,
    y_query: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    lam: float,
    cg_steps: int,
) -> dict[str, Tensor]:
    """iMAML's implicit meta-gradient: ``cg_steps`` iterations of conjugate gradient from 0 on
    (I + H/λ) v = g, with g = ∇φ L_query(φ) and H = ∇²φ L_support(φ) at φ = ``adapted``.

    φ is the solution of the proximal inner problem min L_support(φ) + λ/2 ‖φ − θ‖², so
    dφ/dθ = (I + H/λ)⁻¹ and v is the meta-gradient, whatever optimiser found φ and however
    many steps it took. H is never formed: each CG iteration costs one Hessian-vector product
    (a double backward through the support gradient, built once). CG stops early only if the
    residual is exactly zero. No argument checks.
    """
    names = [n for n, _ in model.named_parameters()]
    phi = [adapted[n].detach().requires_grad_() for n in names]
    params = dict(zip(names, phi, strict=True))
    query = loss_fn(functional_call(model, params, (x_query,)), y_query)
    g = list(torch.autograd.grad(query, phi, allow_unused=True, materialize_grads=True))
    support = loss_fn(functional_call(model, params, (x_support,)), y_support)
    grad_s = torch.autograd.grad(
        support, phi, create_graph=True, allow_unused=True, materialize_grads=True
    )

    def apply(v: list[Tensor]) -> list[Tensor]:
        """(I + H/λ) v, by one Hessian-vector product."""
        if not any(t.requires_grad for t in grad_s):  # a constant gradient: H = 0
            return v
        hv = torch.autograd.grad(
            grad_s,
            phi,
            grad_outputs=v,
            retain_graph=True,
            allow_unused=True,
            materialize_grads=True,
        )
        return [vi + hvi / lam for vi, hvi in zip(v, hv, strict=True)]

    x = [torch.zeros_like(t) for t in g]
    r = [t.clone() for t in g]
    p = [t.clone() for t in g]
    rr = _dot(r, r)
    for _ in range(cg_steps):
        if rr == 0:
            break
        ap = apply(p)
        alpha = rr / _dot(p, ap)
        x = [xi + alpha * pi for xi, pi in zip(x, p, strict=True)]
        r = [ri - alpha * api for ri, api in zip(r, ap, strict=True)]
        rr_next = _dot(r, r)
        p = [ri + (rr_next / rr) * pi for ri, pi in zip(r, p, strict=True)]
        rr = rr_next
    return {n: xi.detach() for n, xi in zip(names, x, strict=True)}


__all__ = ["imaml_meta_gradient"]
