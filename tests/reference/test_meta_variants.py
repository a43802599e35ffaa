"""ANIL, MAML++'s multi-step loss with learned per-step rates, and iMAML's implicit gradient,
each checked against an independent formulation: plain MAML where they coincide, finite
differences in float64, and a dense linear solve on a model small enough to form H."""

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.func import functional_call

from reference.maml import adapt
from reference.meta_variants import anil_adapt, imaml_meta_gradient, lslr_multi_step_loss

torch.set_num_threads(1)
MSE = nn.MSELoss()


def net(seed: int, dtype=torch.float64) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1)
    ).to(dtype)


def data(seed: int, n: int = 6, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 2, generator=g, dtype=dtype), torch.randn(n, 1, generator=g, dtype=dtype)


# --------------------------------------------------------------------------- ANIL


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), first_order=st.booleans())
def test_anil_with_zero_steps_is_the_identity(seed, first_order):
    model = net(seed)
    x, y = data(seed)
    got = anil_adapt(model, x, y, MSE, 0.3, 0, first_order)
    assert list(got) == [n for n, _ in model.named_parameters()]
    for n, p in model.named_parameters():
        assert torch.equal(got[n], p)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), steps=st.integers(1, 3), first_order=st.booleans())
def test_anil_is_maml_when_the_body_has_no_parameters(seed, steps, first_order):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Tanh(), nn.Linear(2, 3)).double()
    x, y = data(seed)
    y = torch.cat([y, y, -y], 1)
    got = anil_adapt(model, x, y, MSE, 0.2, steps, first_order)
    want = adapt(model, x, y, MSE, 0.2, steps, first_order)
    theta = list(model.parameters())
    for n in want:
        torch.testing.assert_close(got[n], want[n])
    w = [torch.linspace(-1, 1, t.numel(), dtype=t.dtype).view_as(t) for t in got.values()]
    dg = torch.autograd.grad(
        sum((g * c).sum() for g, c in zip(got.values(), w, strict=True)), theta
    )
    dw = torch.autograd.grad(
        sum((g * c).sum() for g, c in zip(want.values(), w, strict=True)), theta
    )
    for a, b in zip(dg, dw, strict=True):
        torch.testing.assert_close(a, b)


def query_loss(model, params, x_q, y_q):
    return MSE(functional_call(model, params, (x_q,)), y_q)


@pytest.mark.parametrize("steps", [1, 3])
def test_anil_meta_gradient_matches_finite_differences(steps: int) -> None:
    model = net(0)
    x, y = data(1)
    x_q, y_q = data(2, n=8)
    names = [n for n, _ in model.named_parameters()]
    got = torch.autograd.grad(
        query_loss(model, anil_adapt(model, x, y, MSE, 0.3, steps), x_q, y_q),
        list(model.parameters()),
    )
    base = {n: p.detach().clone() for n, p in model.named_parameters()}
    eps = 1e-6
    for name, grad in zip(names, got, strict=True):
        assert grad.abs().sum() > 0, name
        flat = grad.reshape(-1)
        for i in range(0, flat.numel(), max(1, flat.numel() // 4)):
            values = []
            for sign in (1, -1):
                shifted = {k: v.clone() for k, v in base.items()}
                shifted[name].view(-1)[i] += sign * eps
                probe = net(0)
                probe.load_state_dict(shifted)
                adapted = anil_adapt(probe, x, y, MSE, 0.3, steps)
                values.append(query_loss(probe, adapted, x_q, y_q).item())
            assert flat[i].item() == pytest.approx((values[0] - values[1]) / (2 * eps), abs=1e-7)


def test_anil_first_order_body_gradient_comes_from_the_query_features_only() -> None:
    model = net(3)
    x, y = data(4)
    x_q, y_q = data(5, n=8)
    body = list(model[:-1].parameters())
    adapted = anil_adapt(model, x, y, MSE, 0.3, 2, first_order=True)
    got = torch.autograd.grad(query_loss(model, adapted, x_q, y_q), body)
    # The same head values, as constants: only the query features carry the body's gradient.
    frozen = {n: (p if not n.startswith("4.") else p.detach()) for n, p in adapted.items()}
    want = torch.autograd.grad(query_loss(model, frozen, x_q, y_q), body)
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b)
    second = anil_adapt(model, x, y, MSE, 0.3, 2, first_order=False)
    full = torch.autograd.grad(query_loss(model, second, x_q, y_q), body)
    assert not torch.allclose(full[0], got[0]), "the second-order path through the head matters"


def test_anil_rejects_bad_models_and_steps() -> None:
    x, y = data(0)
    for bad in (
        nn.Linear(2, 1),
        nn.Sequential(nn.Linear(2, 1)),
        nn.Sequential(nn.Linear(2, 1), nn.Tanh()),
    ):
        with pytest.raises(ValueError):
            anil_adapt(bad.double(), x, y, MSE, 0.1, 1)
    with pytest.raises(ValueError):
        anil_adapt(net(0), x, y, MSE, 0.1, -1)


# --------------------------------------------------------------------------- MAML++


def rates(model: nn.Module, steps: int, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        n: (0.05 + 0.2 * torch.rand(steps, generator=g, dtype=torch.float64)).requires_grad_()
        for n, _ in model.named_parameters()
    }


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), steps=st.integers(1, 3))
def test_lslr_with_last_step_weight_and_one_rate_is_maml(seed, steps):
    model = net(seed)
    (x, y), (x_q, y_q) = data(seed), data(seed + 1, n=8)
    lrs = {n: torch.full((steps,), 0.1, dtype=torch.float64) for n, _ in model.named_parameters()}
    w = torch.zeros(steps, dtype=torch.float64)
    w[-1] = 1
    got = lslr_multi_step_loss(model, lrs, x, y, x_q, y_q, MSE, w)
    want = query_loss(model, adapt(model, x, y, MSE, 0.1, steps), x_q, y_q)
    torch.testing.assert_close(got, want)
    theta = list(model.parameters())
    for a, b in zip(torch.autograd.grad(got, theta), torch.autograd.grad(want, theta), strict=True):
        torch.testing.assert_close(a, b)


def test_lslr_rate_gradient_matches_finite_differences() -> None:
    model = net(7)
    (x, y), (x_q, y_q) = data(8), data(9, n=8)
    lrs = rates(model, 3, 0)
    w = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
    loss = lslr_multi_step_loss(model, lrs, x, y, x_q, y_q, MSE, w)
    grads = torch.autograd.grad(loss, list(lrs.values()))
    eps = 1e-6
    for name, grad in zip(lrs, grads, strict=True):
        for k in range(3):
            values = []
            for sign in (1, -1):
                shifted = {n: r.detach().clone() for n, r in lrs.items()}
                shifted[name][k] += sign * eps
                values.append(lslr_multi_step_loss(model, shifted, x, y, x_q, y_q, MSE, w).item())
            assert grad[k].item() == pytest.approx((values[0] - values[1]) / (2 * eps), abs=1e-7)


def test_lslr_one_step_rate_gradient_is_minus_the_gradient_alignment() -> None:
    """d L_q(θ − α g)/dα = −∇L_q(θ₁)ᵀ g, summed over the tensors that share the rate."""
    model = net(10)
    (x, y), (x_q, y_q) = data(11), data(12, n=8)
    lrs = rates(model, 1, 1)
    loss = lslr_multi_step_loss(model, lrs, x, y, x_q, y_q, MSE, torch.ones(1, dtype=torch.float64))
    got = torch.autograd.grad(loss, list(lrs.values()))
    theta = dict(model.named_parameters())
    g = torch.autograd.grad(MSE(model(x), y), list(theta.values()))
    theta1 = {
        n: (p - lrs[n][0] * gi).detach().requires_grad_()
        for (n, p), gi in zip(theta.items(), g, strict=True)
    }
    gq = torch.autograd.grad(query_loss(model, theta1, x_q, y_q), list(theta1.values()))
    for rate_grad, gi, gqi in zip(got, g, gq, strict=True):
        torch.testing.assert_close(rate_grad[0], -(gqi * gi).sum())


def test_lslr_rejects_mismatched_rates_and_weights() -> None:
    model = net(0)
    (x, y), (x_q, y_q) = data(0), data(1)
    lrs = rates(model, 2, 0)
    w = torch.ones(2, dtype=torch.float64)
    bad = [
        ({k: v for k, v in lrs.items() if k != "0.bias"}, w),
        ({**lrs, "0.bias": torch.ones(3)}, w),
        (lrs, torch.ones(3)),
        (lrs, torch.ones(0)),
        (lrs, torch.ones(2, 1)),
    ]
    for rate, weights in bad:
        with pytest.raises(ValueError):
            lslr_multi_step_loss(model, rate, x, y, x_q, y_q, MSE, weights)


# --------------------------------------------------------------------------- iMAML


def flat_problem(seed: int, lam: float):
    """A tiny float64 net (≈ 20 parameters), a point φ, and (I + H/λ), g formed densely."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    adapted = {n: p.detach() + 0.3 * torch.randn_like(p) for n, p in model.named_parameters()}
    (x, y), (x_q, y_q) = data(seed), data(seed + 1, n=8)
    names = list(adapted)
    shapes = [adapted[n].shape for n in names]
    sizes = [adapted[n].numel() for n in names]
    flat = torch.cat([adapted[n].reshape(-1) for n in names])

    def loss_at(vec, a, b):
        parts = [c.view(s) for c, s in zip(vec.split(sizes), shapes, strict=True)]
        return MSE(functional_call(model, dict(zip(names, parts, strict=True)), (a,)), b)

    h = torch.autograd.functional.hessian(lambda v: loss_at(v, x, y), flat)
    leaf = flat.clone().requires_grad_()
    (g,) = torch.autograd.grad(loss_at(leaf, x_q, y_q), leaf)
    a = torch.eye(len(flat), dtype=flat.dtype) + h / lam
    return model, adapted, (x, y, x_q, y_q), a, g


def flatten(params: dict[str, torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in params.values()])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), lam=st.sampled_from([0.5, 1.0, 3.0, 10.0]))
def test_imaml_cg_solves_the_system_and_matches_a_dense_solve(seed, lam):
    model, adapted, batch, a, g = flat_problem(seed, lam)
    assume(torch.linalg.eigvalsh(a).min() > 0.05)  # CG needs A positive definite
    v = flatten(imaml_meta_gradient(model, adapted, *batch, MSE, lam, 4 * len(g)))
    torch.testing.assert_close(a @ v, g, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(v, torch.linalg.solve(a, g), rtol=1e-7, atol=1e-9)


def test_imaml_one_cg_step_is_the_steepest_descent_step() -> None:
    model, adapted, batch, a, g = flat_problem(3, 2.0)
    v = flatten(imaml_meta_gradient(model, adapted, *batch, MSE, 2.0, 1))
    torch.testing.assert_close(v, (g @ g) / (g @ a @ g) * g)


def test_imaml_cg_error_decreases_with_the_steps() -> None:
    model, adapted, batch, a, g = flat_problem(4, 5.0)
    assert torch.linalg.eigvalsh(a).min() > 0.1, "the premise: A positive definite"
    exact = torch.linalg.solve(a, g)
    errors = []
    for k in (1, 2, 4, 8):
        e = flatten(imaml_meta_gradient(model, adapted, *batch, MSE, 5.0, k)) - exact
        errors.append(float(e @ a @ e))
    assert errors == sorted(errors, reverse=True), errors  # CG decreases the A-norm error
    assert errors[-1] < 1e-8 * errors[0]


def test_imaml_leaves_its_inputs_alone_and_rejects_bad_arguments() -> None:
    model, adapted, batch, _, _ = flat_problem(5, 1.0)
    before = {n: t.clone() for n, t in adapted.items()}
    state = {n: t.clone() for n, t in model.state_dict().items()}
    out = imaml_meta_gradient(model, adapted, *batch, MSE, 1.0, 3)
    assert all(torch.equal(before[n], adapted[n]) for n in before)
    assert all(torch.equal(state[n], t) for n, t in model.state_dict().items())
    assert all(not t.requires_grad and t.dtype == torch.float64 for t in out.values())
    for bad_adapted, lam, steps in [
        ({k: v for k, v in adapted.items() if k != "0.bias"}, 1.0, 3),
        ({**adapted, "0.weight": adapted["0.weight"].t()}, 1.0, 3),
        (adapted, 0.0, 3),
        (adapted, 1.0, 0),
    ]:
        with pytest.raises(ValueError):
            imaml_meta_gradient(model, bad_adapted, *batch, MSE, lam, steps)
