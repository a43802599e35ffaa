"""Three answers to "MAML is expensive": ANIL, MAML++'s learned per-step rates, and iMAML.

- :func:`anil_adapt` (Raghu et al. 2020, "Rapid Learning or Feature Reuse?"): adapt only the
  head; the body's features are computed once per task and the inner loop is a few steps of a
  linear model on them, yet the result stays differentiable to the body through the head's
  adaptation.
- :func:`lslr_multi_step_loss` (Antoniou et al. 2019, "How to train your MAML"): one learned
  rate per parameter tensor and per inner step (LSLR), and the multi-step loss: the query loss
  after every inner step, weighted, so every step receives a direct gradient.
- :func:`imaml_meta_gradient` (Rajeswaran et al. 2019, "Meta-Learning with Implicit
  Gradients"): the meta-gradient of the proximally regularised inner problem is
  (I + H/λ)⁻¹ ∇φ L_query(φ), solved by conjugate gradient with Hessian-vector products, so
  its memory does not grow with the number of inner steps and H is never formed.

One task at a time, plain autograd, as the maths reads; the model is never changed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

Params = dict[str, Tensor]
LossFn = Callable[[Tensor, Tensor], Tensor]


# --------------------------------------------------------------------------- ANIL


def anil_adapt(
    model: nn.Sequential,
    x: Tensor,
    y: Tensor,
    loss_fn: LossFn,
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
) -> Params:
    """ANIL's inner loop: ``steps`` gradient steps on the head ``model[-1]`` only.

    The body ``model[:-1]`` runs once on ``x``; the head adapts on those features. Returns
    every named parameter of ``model``: the body's entries are its own parameters, the head's
    are adapted. With ``first_order=False`` the head's entries are differentiable with respect
    to the head's initial parameters and to the body (through the features the inner gradients
    were taken at), second-order terms included; with ``first_order=True`` the inner gradients
    are constants. The model is not changed.
    """
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise ValueError("ANIL needs an nn.Sequential of a body and a head (at least 2 modules)")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    head = model[-1]
    head_params = dict(head.named_parameters())
    if not head_params:
        raise ValueError("the head (the last module) has no parameters to adapt")
    features = model[:-1](x)
    fast: dict[str, Tensor] = dict(head_params)
    for _ in range(steps):
        # First order: the gradient is taken at detached copies (of the head and the features).
        if first_order:
            src = {n: p.detach().requires_grad_() for n, p in fast.items()}
            loss = loss_fn(functional_call(head, src, (features.detach(),)), y)
        else:
            src = fast
            loss = loss_fn(functional_call(head, src, (features,)), y)
        grads = torch.autograd.grad(loss, list(src.values()), create_graph=not first_order)
        fast = {n: p - inner_lr * g for (n, p), g in zip(fast.items(), grads, strict=True)}
    prefix = list(model.named_children())[-1][0] + "."
    return {
        name: fast[name[len(prefix) :]] if name.startswith(prefix) else p
        for name, p in model.named_parameters()
    }


# --------------------------------------------------------------------------- MAML++ (LSLR + MSL)


def _check_rates(model: nn.Module, lrs: Params, step_weights: Tensor) -> int:
    """The number of inner steps K, after checking that ``lrs`` and ``step_weights`` agree."""
    if step_weights.dim() != 1 or step_weights.numel() == 0:
        raise ValueError(
            f"step_weights must be a non-empty [K] tensor, got {tuple(step_weights.shape)}"
        )
    steps = step_weights.numel()
    names = [n for n, _ in model.named_parameters()]
    if set(lrs) != set(names):
        raise ValueError(f"lrs must have exactly the keys {names}, got {sorted(lrs)}")
    for name, rate in lrs.items():
        if rate.shape != (steps,):
            raise ValueError(
                f"lrs[{name!r}] must be [{steps}] (one rate per step), got {tuple(rate.shape)}"
            )
    return steps


def lslr_multi_step_loss(
    model: nn.Module,
    lrs: Params,
    x_support: Tensor,
    y_support: Tensor,
    x_query: Tensor,
    y_query: Tensor,
    loss_fn: LossFn,
    step_weights: Tensor,
) -> Tensor:
    """MAML++'s multi-step loss with per-layer, per-step learned inner rates.

    θ_0 = θ; θ_k = θ_{k−1} − lrs[name][k−1] · ∇ loss_fn(f(x_support; θ_{k−1}), y_support) for
    every parameter tensor ``name``; returns Σ_k step_weights[k−1] · loss_fn(f(x_query; θ_k),
    y_query) for k = 1..K, K = len(step_weights). Differentiable with respect to θ (second
    order) and to the rates; the model and ``lrs`` are not changed.
    """
    steps = _check_rates(model, lrs, step_weights)
    params: dict[str, Tensor] = dict(model.named_parameters())
    total: Tensor | float = 0.0
    for k in range(steps):
        loss = loss_fn(functional_call(model, params, (x_support,)), y_support)
        grads = torch.autograd.grad(
            loss, list(params.values()), create_graph=True, allow_unused=True
        )
        params = {
            n: p if g is None else p - lrs[n][k] * g
            for (n, p), g in zip(params.items(), grads, strict=True)
        }
        query = loss_fn(functional_call(model, params, (x_query,)), y_query)
        total = total + step_weights[k] * query
    assert isinstance(total, Tensor)  # steps >= 1
    return total


# --------------------------------------------------------------------------- iMAML


def _dot(a: list[Tensor], b: list[Tensor]) -> Tensor:
    return sum((x * y).sum() for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def imaml_meta_gradient(
    model: nn.Module,
    adapted: Params,
    x_support: Tensor,
    y_support: Tensor,
    x_query: Tensor,
    y_query: Tensor,
    loss_fn: LossFn,
    lam: float,
    cg_steps: int,
) -> Params:
    """iMAML's implicit meta-gradient: ``cg_steps`` iterations of conjugate gradient from 0 on
    (I + H/λ) v = g, with g = ∇φ L_query(φ) and H = ∇²φ L_support(φ) at φ = ``adapted``.

    φ is the solution of the proximal inner problem min L_support(φ) + λ/2 ‖φ − θ‖², so
    dφ/dθ = (I + H/λ)⁻¹ and v is the meta-gradient, whatever optimiser found φ and however
    many steps it took. H is never formed: each CG iteration costs one Hessian-vector product
    (a double backward through the support gradient, built once). CG stops early only if the
    residual is exactly zero. Returns v keyed like ``model.named_parameters()``, detached; the
    model and ``adapted`` are not changed.
    """
    names = [n for n, _ in model.named_parameters()]
    if set(adapted) != set(names):
        raise ValueError(f"adapted must have exactly the keys {names}, got {sorted(adapted)}")
    for name, p in model.named_parameters():
        if adapted[name].shape != p.shape:
            raise ValueError(
                f"adapted[{name!r}] has shape {tuple(adapted[name].shape)}, not {tuple(p.shape)}"
            )
    if not lam > 0:
        raise ValueError(f"lam must be positive, got {lam}")
    if cg_steps < 1:
        raise ValueError(f"cg_steps must be >= 1, got {cg_steps}")
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
    d = [t.clone() for t in g]  # the search direction
    rr = _dot(r, r)
    for _ in range(cg_steps):
        if rr == 0:
            break
        ad = apply(d)
        alpha = rr / _dot(d, ad)
        x = [xi + alpha * di for xi, di in zip(x, d, strict=True)]
        r = [ri - alpha * adi for ri, adi in zip(r, ad, strict=True)]
        rr_next = _dot(r, r)
        d = [ri + (rr_next / rr) * di for ri, di in zip(r, d, strict=True)]
        rr = rr_next
    return {n: xi.detach() for n, xi in zip(names, x, strict=True)}
