"""Hidden tests for reptile-step: values for every clause, the edge cases ε ∈ {0, 1} and
inner_steps = 0, a chain of updates, and detachment judged through a gradient probe."""

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, points


def mlp(seed, sizes=(2, 16, 1), act=nn.Tanh, dtype=torch.float32, bias=True):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=bias or i == len(sizes) - 2))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers).to(dtype)


def data(seed, n=10, dim=2, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen, dtype=dtype)
    y = torch.sin(x.sum(1, keepdim=True)) + 0.1 * torch.randn(n, 1, generator=gen, dtype=dtype)
    return x, y


def check(candidate, solution, mistakes, args, name, rtol=1e-4, atol=1e-5):
    got = candidate.reptile_step(*args)
    want = solution.reptile_step(*args)
    expect_close(
        got, want, name=name, rtol=rtol, atol=atol,
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )  # fmt: skip
    return got


@points(12)
def test_several_inner_steps(candidate, solution, mistakes, seed):
    args = (mlp(seed + 0), *data(seed + 0), nn.MSELoss(), 0.1, 5, 0.3)
    check(candidate, solution, mistakes, args, "θ + ε(φ − θ), inner_steps=5, ε=0.3")


@points(8)
def test_outer_lr_one_gives_phi(candidate, solution, mistakes, seed):
    args = (mlp(seed + 1), *data(seed + 1), nn.MSELoss(), 0.05, 4, 1.0)
    check(candidate, solution, mistakes, args, "reptile_step with outer_lr=1 (= φ)")


@points(8)
def test_outer_lr_zero_keeps_theta(candidate, solution, mistakes, seed):
    model = mlp(seed + 2)
    args = (model, *data(seed + 2), nn.MSELoss(), 0.1, 3, 0.0)
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    got = candidate.reptile_step(*args)
    expect_close(
        got, want, name="reptile_step with outer_lr=0 (= θ)",
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )  # fmt: skip


@points(8)
def test_inner_steps_zero_keeps_theta(candidate, solution, mistakes, seed):
    model = mlp(seed + 3)
    args = (model, *data(seed + 3), nn.MSELoss(), 0.1, 0, 0.5)
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    got = candidate.reptile_step(*args)
    expect_close(
        got, want, name="reptile_step with inner_steps=0 (= θ)",
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )  # fmt: skip


@points(8)
def test_one_inner_step_is_a_scaled_gradient_step(candidate, solution, mistakes, seed):
    """With one inner step, θ + ε(φ − θ) = θ − ε·α·∇L(θ): checked independently."""
    model = mlp(seed + 4)
    x, y = data(seed + 4)
    args = (model, x, y, nn.MSELoss(), 0.2, 1, 0.5)
    loss = nn.MSELoss()(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    want = {
        n: (p - 0.5 * 0.2 * g).detach()
        for (n, p), g in zip(model.named_parameters(), grads, strict=True)
    }
    got = candidate.reptile_step(*args)
    expect_close(
        got, want, name="reptile_step with inner_steps=1",
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )  # fmt: skip


@points(8)
def test_many_steps_deeper_relu_net(candidate, solution, mistakes, seed):
    args = (
        mlp(seed + 5, (2, 16, 16, 16, 1), act=nn.ReLU),
        *data(seed + 5, n=20),
        nn.MSELoss(),
        0.02,
        12,
        0.1,
    )
    check(candidate, solution, mistakes, args, "reptile_step, 3 hidden layers, inner_steps=12")


@points(10)
def test_classification_cross_entropy(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 6)
    model = mlp(seed + 6, (5, 16, 4), act=nn.ReLU)
    x, y = torch.randn(16, 5), torch.arange(4).repeat(4)
    args = (model, x, y, nn.CrossEntropyLoss(), 0.5, 4, 0.25)
    check(candidate, solution, mistakes, args, "reptile_step on a 4-way cross-entropy task")


@points(10)
def test_model_is_not_changed(candidate, solution, mistakes, seed):
    model = mlp(seed + 7)
    before = {n: t.clone() for n, t in model.state_dict().items()}
    args = (model, *data(seed + 7), nn.MSELoss(), 0.1, 3, 0.5)
    after = candidate.run("reptile_step", *args).args[0]
    expect_close(
        after, before, name="the model's parameters after reptile_step",
        mistakes=mistakes.on(lambda m: m.run("reptile_step", *args).args[0]),
    )  # fmt: skip


@points(8)
def test_result_is_detached(candidate, solution, mistakes, seed):
    model = mlp(seed + 8)
    x, y = data(seed + 8)
    x_q, y_q = data(seed + 80)
    args = (model, x, y, nn.MSELoss(), 0.1, 3, 0.5)
    probe = Probe("query_grad", x_q, y_q, nn.MSELoss())
    got = candidate.run("reptile_step", *args, probe=probe).probe
    zeros = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
    expect_close(
        got["grads"], zeros, name="gradient reaching θ through the returned update (detached: 0)",
        mistakes=mistakes.on(lambda m: m.run("reptile_step", *args, probe=probe).probe["grads"]),
    )  # fmt: skip


@points(10)
def test_chain_of_updates(candidate, solution, mistakes, seed):
    """Three Reptile iterations on three tasks, each from the previous result."""
    cand, ref = mlp(seed + 9), mlp(seed + 9)
    for task in range(3):
        args_c = (cand, *data(seed + 90 + task), nn.MSELoss(), 0.1, 4, 0.5)
        args_r = (ref, *data(seed + 90 + task), nn.MSELoss(), 0.1, 4, 0.5)
        got = candidate.reptile_step(*args_c)
        want = solution.reptile_step(*args_r)
        expect_close(
            got,
            want,
            name=f"θ after {task + 1} Reptile iterations",
            mistakes=mistakes.on(lambda m, args_c=args_c: m.reptile_step(*args_c)),
        )
        cand.load_state_dict(got)
        ref.load_state_dict(want)


@points(5)
def test_float64_and_layers_without_bias(candidate, solution, mistakes, seed):
    model = mlp(seed + 10, (2, 8, 8, 1), dtype=torch.float64, bias=False)
    args = (model, *data(seed + 10, dtype=torch.float64), nn.MSELoss(), 0.1, 5, 0.4)
    got = check(candidate, solution, mistakes, args, "reptile_step in float64", 1e-8, 1e-10)
    expect(all(t.dtype == torch.float64 for t in got.values()), "the result must stay float64")


@points(5)
def test_non_contiguous_inputs(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 11)
    wide = torch.randn(2, 12)
    x = wide.t()  # [12, 2], a transposed view
    y = torch.randn(12, 3)[:, 1:2]  # a strided column
    args = (mlp(seed + 11), x, y, nn.MSELoss(), 0.1, 3, 0.5)
    check(candidate, solution, mistakes, args, "reptile_step on strided inputs")
