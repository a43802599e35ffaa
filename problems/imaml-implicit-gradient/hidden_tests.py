"""Hidden tests for imaml-implicit-gradient: values at a fixed number of CG steps, the exact
solution of (I + H/lam) v = g against a dense solve in float64, models too large for a dense
Hessian in the memory limit, the model and adapted unchanged, float64, and the ValueError
cases, each at least twice.

Inputs come from the per-grade ``seed``. Points follow the clause: the conjugate-gradient
solution weighs most (the exact solve in float64 more than any single value test), the
inputs left alone and the argument checks least."""

import torch
from torch import nn
from torch.autograd.functional import hessian
from torch.func import functional_call

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises, points


def inner_solve(model, x_s, y_s, loss_fn, lam, steps=20, lr=0.05):
    """phi: gradient descent on the proximal inner objective L_s(phi) + lam/2 ||phi - theta||^2."""
    theta = {n: p.detach() for n, p in model.named_parameters()}
    phi = {n: t.clone().requires_grad_() for n, t in theta.items()}
    for _ in range(steps):
        loss = loss_fn(functional_call(model, phi, (x_s,)), y_s)
        loss = loss + lam / 2 * sum(((phi[n] - theta[n]) ** 2).sum() for n in phi)
        grads = torch.autograd.grad(loss, list(phi.values()))
        phi = {
            n: (p - lr * g).detach().requires_grad_()
            for (n, p), g in zip(phi.items(), grads, strict=True)
        }
    return {n: p.detach() for n, p in phi.items()}


def regression(seed, hidden=8, dtype=torch.float32, lam=2.0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1)).to(dtype)
    x_s, y_s = torch.randn(6, 2, dtype=dtype), torch.randn(6, 1, dtype=dtype)
    x_q, y_q = torch.randn(9, 2, dtype=dtype), torch.randn(9, 1, dtype=dtype)
    loss = nn.MSELoss()
    return model, inner_solve(model, x_s, y_s, loss, lam), x_s, y_s, x_q, y_q, loss


def classification(seed, ways=3, lam=1.0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 10), nn.Tanh(), nn.Linear(10, ways))
    x_s, y_s = torch.randn(2 * ways, 4), torch.arange(2 * ways) % ways
    x_q, y_q = torch.randn(4 * ways, 4), torch.arange(4 * ways) % ways
    loss = nn.CrossEntropyLoss()
    return model, inner_solve(model, x_s, y_s, loss, lam), x_s, y_s, x_q, y_q, loss


def check(candidate, solution, mistakes, args, name):
    got = candidate.imaml_meta_gradient(*args)
    expect_close(
        got,
        solution.imaml_meta_gradient(*args),
        name=name,
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )
    return got


def dense_solution(model, adapted, x_s, y_s, x_q, y_q, loss_fn, lam):
    """(I + H/lam)^-1 g with H formed explicitly: only for a model of a few dozen parameters."""
    names = [n for n, _ in model.named_parameters()]
    shapes = [adapted[n].shape for n in names]
    sizes = [adapted[n].numel() for n in names]
    flat = torch.cat([adapted[n].reshape(-1) for n in names])

    def loss_at(vec, x, y):
        parts = dict(
            zip(
                names,
                [c.view(s) for c, s in zip(vec.split(sizes), shapes, strict=True)],
                strict=True,
            )
        )
        return loss_fn(functional_call(model, parts, (x,)), y)

    leaf = flat.clone().requires_grad_()
    (g,) = torch.autograd.grad(loss_at(leaf, x_q, y_q), leaf)
    h = hessian(lambda v: loss_at(v, x_s, y_s), flat)
    v = torch.linalg.solve(torch.eye(len(flat), dtype=flat.dtype) + h / lam, g)
    return {n: c.view(s) for n, c, s in zip(names, v.split(sizes), shapes, strict=True)}


@points(9)
def test_one_cg_step(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, (*regression(seed + 0), 2.0, 1), "v after 1 CG step")


@points(9)
def test_several_cg_steps(candidate, solution, mistakes, seed):
    check(
        candidate,
        solution,
        mistakes,
        (*regression(seed + 1, hidden=12), 2.0, 5),
        "v after 5 CG steps",
    )


@points(9)
def test_exactly_cg_steps_iterations(candidate, solution, mistakes, seed):
    case = regression(seed + 2, hidden=16, lam=0.5)
    for steps in (2, 3):
        check(candidate, solution, mistakes, (*case, 0.5, steps), f"v after {steps} CG steps")


@points(9)
def test_cross_entropy(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, (*classification(seed + 3), 1.0, 4), "v (cross-entropy)")


@points(15)
def test_solves_the_linear_system_in_float64(candidate, solution, mistakes, seed):
    for offset, lam in [(4, 1.0), (5, 4.0)]:
        case = regression(seed + offset, hidden=4, dtype=torch.float64, lam=lam)
        n_params = sum(p.numel() for p in case[0].parameters())
        got = candidate.imaml_meta_gradient(*case, lam, 3 * n_params)
        expect_close(
            got,
            dense_solution(*case, lam),
            rtol=1e-6,
            atol=1e-8,
            name=f"v with enough CG steps vs a dense solve of (I + H/lam) v = g, lam = {lam}",
            mistakes=mistakes.on(
                lambda m, c=case, lam=lam, k=3 * n_params: m.imaml_meta_gradient(*c, lam, k)
            ),
        )


def check_large(candidate, solution, mistakes, seed, sizes, dtype=torch.float32):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.Tanh()]
    model = nn.Sequential(*layers[:-1]).to(dtype)
    adapted = {n: p.detach() + 0.01 * torch.randn_like(p) for n, p in model.named_parameters()}
    x_s, x_q = torch.randn(16, sizes[0], dtype=dtype), torch.randn(24, sizes[0], dtype=dtype)
    y_s, y_q = torch.randn(16, sizes[-1], dtype=dtype), torch.randn(24, sizes[-1], dtype=dtype)
    args = (model, adapted, x_s, y_s, x_q, y_q, nn.MSELoss(), 1.0, 3)
    check(candidate, solution, mistakes, args, f"v for a {sizes} MLP")


# 40k and 33k parameters: a dense Hessian needs 12.8 GB (float64) and 4.4 GB (float32), far
# over the memory limit, and tens of thousands of backward passes to fill. The first is in
# float64: for some draws its system is ill-conditioned enough that float32 rounding, which
# depends on the thread count (the sandbox's child and the judge's process differ), moves
# v by over 1e-4 relative; in float64 the same difference stays under 1e-11.
@points(9)
def test_large_model_never_forms_the_hessian(candidate, solution, mistakes, seed):
    check_large(candidate, solution, mistakes, seed + 6, (1, 200, 200, 1), torch.float64)


@points(9)
def test_another_large_model_never_forms_the_hessian(candidate, solution, mistakes, seed):
    check_large(candidate, solution, mistakes, seed + 7, (64, 256, 64, 10))


@points(5)
def test_model_and_adapted_are_not_changed(candidate, mistakes, seed):
    args = (*regression(seed + 8), 1.5, 3)
    expect_inputs_unchanged(candidate, "imaml_meta_gradient", *args, mistakes=mistakes)


@points(5)
def test_model_and_adapted_are_not_changed_on_classification(candidate, mistakes, seed):
    args = (*classification(seed + 9), 0.8, 4)
    expect_inputs_unchanged(candidate, "imaml_meta_gradient", *args, mistakes=mistakes)


@points(9)
def test_float64(candidate, solution, mistakes, seed):
    check(
        candidate,
        solution,
        mistakes,
        (*regression(seed + 10, dtype=torch.float64), 2.0, 4),
        "v (float64)",
    )
    check(
        candidate,
        solution,
        mistakes,
        (*regression(seed + 11, dtype=torch.float64), 0.7, 2),
        "v (float64, lam 0.7)",
    )


def check_raises(candidate, mistakes, case):
    """lam <= 0, cg_steps < 1, and adapted with a missing, an extra or a reshaped entry."""
    model, adapted, *rest = case
    names = list(adapted)
    hint = mistakes.hint("no_validation")

    def call(lam=1.0, steps=2, given=adapted):
        return lambda: candidate.imaml_meta_gradient(model, given, *rest, lam, steps)

    first, last = adapted[names[0]], adapted[names[-1]]
    cases = [
        (call(lam=0.0), "lam = 0"),
        (call(lam=-1.0), "lam < 0"),
        (call(steps=0), "cg_steps = 0"),
        (call(steps=-2), "cg_steps < 0"),
        (call(given={n: t for n, t in adapted.items() if n != names[-1]}), "a missing entry"),
        (call(given={**adapted, "9.weight": torch.zeros(1)}), "an extra entry"),
        (call(given={**adapted, names[0]: first.t().contiguous()}), "a transposed weight"),
        (call(given={**adapted, names[-1]: last.reshape(1, -1)}), "a bias of shape [1, n]"),
    ]
    for fn, what in cases:
        expect_raises(ValueError, fn, name=what, hint=hint)


@points(6)
def test_bad_arguments_raise_value_error(candidate, mistakes, seed):
    check_raises(candidate, mistakes, regression(seed + 12))


@points(6)
def test_bad_arguments_raise_on_classification(candidate, mistakes, seed):
    check_raises(candidate, mistakes, classification(seed + 13))
