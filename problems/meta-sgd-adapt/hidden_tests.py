"""Hidden tests for meta-sgd-adapt. Values are compared with the reference; second order
with respect to θ and first order with respect to α are judged by a probe that
differentiates a query loss through the result (meta_sgd_grads)."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, points


def mlp(seed, sizes=(2, 12, 1), act=nn.Tanh, dtype=torch.float32):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers).to(dtype)


def rates(model, seed, low=0.01, high=0.3, order=None):
    """Distinct positive learning rates per entry, leaf tensors requiring grad."""
    gen = torch.Generator().manual_seed(seed)
    named = dict(model.named_parameters())
    names = order(list(named)) if order else list(named)
    return {
        n: (low + (high - low) * torch.rand(named[n].shape, generator=gen))
        .to(named[n].dtype)
        .requires_grad_()
        for n in names
    }


def regression(seed, n=8, dim=2, out=1, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen).to(dtype)
    y = torch.randn(n, out, generator=gen).to(dtype)
    return x, y


def check_values(candidate, solution, mistakes, args, name, rtol=1e-4, atol=1e-5):
    got = candidate.meta_sgd_adapt(*args)
    want = solution.meta_sgd_adapt(*args)
    expect_close(
        got, want, name=name, rtol=rtol, atol=atol,
        mistakes=mistakes.on(lambda m: m.meta_sgd_adapt(*args)),
    )  # fmt: skip


def check_grads(candidate, solution, mistakes, args, query, name, key=None, rtol=1e-4, atol=1e-5):
    """Compare the probe's gradients (``key``: only "grads" for θ or "lr_grads" for α)."""
    probe = Probe("meta_sgd_grads", *query)

    def pick(outcome):
        return outcome.probe if key is None else outcome.probe[key]

    got = pick(candidate.run("meta_sgd_adapt", *args, probe=probe))
    want = pick(solution.run("meta_sgd_adapt", *args, probe=probe))
    expect_close(
        got, want, name=name, rtol=rtol, atol=atol,
        mistakes=mistakes.on(lambda m: pick(m.run("meta_sgd_adapt", *args, probe=probe))),
    )  # fmt: skip


@points(10)
def test_values(candidate, solution, mistakes, seed):
    model = mlp(seed + 0)
    args = (model, rates(model, seed + 0), *regression(seed + 0), nn.MSELoss())
    check_values(candidate, solution, mistakes, args, "θ' = θ − α ⊙ ∇θ loss")


@points(12)
def test_second_order_gradient_wrt_theta(candidate, solution, mistakes, seed):
    model = mlp(seed + 1)
    args = (model, rates(model, seed + 1, 0.2, 0.6), *regression(seed + 1), nn.MSELoss())
    check_grads(
        candidate, solution, mistakes, args, (*regression(seed + 10, n=10), nn.MSELoss()),
        "gradient of the query loss w.r.t. θ (second order)", key="grads",
    )  # fmt: skip


@points(12)
def test_gradient_wrt_learning_rates(candidate, solution, mistakes, seed):
    model = mlp(seed + 2)
    args = (model, rates(model, seed + 2), *regression(seed + 2), nn.MSELoss())
    check_grads(
        candidate, solution, mistakes, args, (*regression(seed + 20, n=10), nn.MSELoss()),
        "gradient of the query loss w.r.t. the learning rates α", key="lr_grads",
    )  # fmt: skip


@points(10)
def test_rates_looked_up_by_name(candidate, solution, mistakes, seed):
    # Square layers, and lrs given in the reverse order of model.named_parameters().
    model = mlp(seed + 3, (4, 4, 4))
    lrs = rates(model, seed + 3, order=lambda names: names[::-1])
    args = (model, lrs, *regression(seed + 3, dim=4, out=4), nn.MSELoss())
    check_values(candidate, solution, mistakes, args, "θ' with lrs in another key order")


@points(10)
def test_classification_cross_entropy(candidate, solution, mistakes, seed):
    model = mlp(seed + 4, (5, 16, 3), act=nn.ReLU)
    torch.manual_seed(seed + 4)
    x, y = torch.randn(12, 5), torch.arange(3).repeat(4)
    x_q, y_q = torch.randn(9, 5), torch.arange(3).repeat(3)
    args = (model, rates(model, seed + 4, 0.1, 1.0), x, y, nn.CrossEntropyLoss())
    check_values(candidate, solution, mistakes, args, "θ' on a 3-way cross-entropy task")
    check_grads(
        candidate, solution, mistakes, args, (x_q, y_q, nn.CrossEntropyLoss()),
        "gradients of the query cross-entropy w.r.t. θ and α",
    )  # fmt: skip


@points(10)
def test_deeper_net(candidate, solution, mistakes, seed):
    model = mlp(seed + 5, (2, 10, 10, 10, 1))
    # lrs in a rotated key order: the two 10x10 layers' rates swap places if read by position
    lrs = rates(model, seed + 5, 0.1, 0.5, order=lambda names: names[2:] + names[:2])
    args = (model, lrs, *regression(seed + 5), nn.MSELoss())
    check_grads(
        candidate, solution, mistakes, args, (*regression(seed + 50), nn.MSELoss()),
        "gradients w.r.t. θ and α, 3 hidden layers",
    )  # fmt: skip


@points(10)
def test_model_is_not_changed(candidate, solution, mistakes, seed):
    model = mlp(seed + 6)
    before = {n: t.clone() for n, t in model.state_dict().items()}
    args = (model, rates(model, seed + 6), *regression(seed + 6), nn.MSELoss())
    after = candidate.run("meta_sgd_adapt", *args).args[0]
    expect_close(
        after, before, name="the model's parameters after meta_sgd_adapt",
        mistakes=mistakes.on(lambda m: m.run("meta_sgd_adapt", *args).args[0]),
    )  # fmt: skip


@points(6)
def test_zero_rates_return_theta(candidate, solution, mistakes, seed):
    model = mlp(seed + 7)
    lrs = {n: torch.zeros_like(p).requires_grad_() for n, p in model.named_parameters()}
    args = (model, lrs, *regression(seed + 7), nn.MSELoss())
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    expect_close(
        candidate.meta_sgd_adapt(*args), want, name="θ' with α = 0",
        mistakes=mistakes.on(lambda m: m.meta_sgd_adapt(*args)),
    )  # fmt: skip


@points(8)
def test_float64(candidate, solution, mistakes, seed):
    model = mlp(seed + 8, act=nn.Tanh, dtype=torch.float64)
    args = (model, rates(model, seed + 8), *regression(seed + 8, dtype=torch.float64), nn.MSELoss())
    check_values(candidate, solution, mistakes, args, "θ' in float64", 1e-9, 1e-11)
    check_grads(
        candidate, solution, mistakes, args,
        (*regression(seed + 80, dtype=torch.float64), nn.MSELoss()),
        "gradients w.r.t. θ and α in float64", rtol=1e-8, atol=1e-10,
    )  # fmt: skip


@points(8)
def test_non_contiguous_inputs(candidate, solution, mistakes, seed):
    model = mlp(seed + 9)
    torch.manual_seed(seed + 9)
    x = torch.randn(2, 9).t()
    y = torch.randn(9, 4)[:, 2:3]
    args = (model, rates(model, seed + 9), x, y, nn.MSELoss())
    check_values(candidate, solution, mistakes, args, "θ' on strided inputs")


@points(4)
def test_extra_rate_keys_are_ignored(candidate, solution, mistakes, seed):
    model = mlp(seed + 9, (2, 6, 1))
    lrs = rates(model, seed + 9)
    lrs["head.weight"] = torch.full((3, 3), 0.5)  # not a parameter of the model
    args = (model, lrs, *regression(seed + 9), nn.MSELoss())
    check_values(candidate, solution, mistakes, args, "θ' with an extra key in lrs")
