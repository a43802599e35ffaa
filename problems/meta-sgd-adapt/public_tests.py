"""Public examples for meta-sgd-adapt."""

import torch
from torch import nn

from judge.testing import Probe, expect_close


def make(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    lrs = {n: torch.full_like(p, 0.1).requires_grad_() for n, p in model.named_parameters()}
    x = torch.linspace(-2, 2, 6).unsqueeze(1)
    return model, lrs, x, torch.sin(x)


def test_values(candidate, solution, mistakes):
    args = (*make(), nn.MSELoss())
    expect_close(
        candidate.meta_sgd_adapt(*args),
        solution.meta_sgd_adapt(*args),
        name="θ'",
        mistakes=mistakes.on(lambda m: m.meta_sgd_adapt(*args)),
    )


def test_gradients_reach_theta_and_alpha(candidate, solution, mistakes):
    args = (*make(1), nn.MSELoss())
    x_q = torch.linspace(-1, 3, 7).unsqueeze(1)
    probe = Probe("meta_sgd_grads", x_q, torch.sin(x_q), nn.MSELoss())
    expect_close(
        candidate.run("meta_sgd_adapt", *args, probe=probe).probe,
        solution.run("meta_sgd_adapt", *args, probe=probe).probe,
        name="query-loss gradients w.r.t. θ and α",
        mistakes=mistakes.on(lambda m: m.run("meta_sgd_adapt", *args, probe=probe).probe),
    )


def one_weight(w: float) -> nn.Module:
    """f(x) = w·x: one weight, so every step of the example can be done by hand."""
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(w)
    return model


def test_worked_example_by_hand(candidate, mistakes):
    """Example. f(x) = w·x with w = 1 and rate α = 0.1, support x = 1, y = 3: the gradient
    of (w − 3)² is −4, so w' = 1 − 0.1·(−4) = 1.4. For the query x = 2, y = 0 the loss is
    (2w')², dL/dw' = 8w' = 11.2; dw'/dw = 1 − 2α = 0.8 gives dL/dw = 8.96, and
    dw'/dα = −(−4) = 4 gives dL/dα = 44.8.

    中文：f(x) = w·x，w = 1，学习率 α = 0.1，支持集 x = 1、y = 3：(w − 3)² 的梯度是 −4，所以 w' =
    1 − 0.1·(−4) = 1.4。查询集 x = 2、y = 0 上的损失是 (2w')²，dL/dw' = 8w' = 11.2；由 dw'/dw = 1
    − 2α = 0.8 得 dL/dw = 8.96，由 dw'/dα = −(−4) = 4 得 dL/dα = 44.8。"""
    model = one_weight(1.0)
    lrs = {"0.weight": torch.tensor([[0.1]])}
    args = (model, lrs, torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss())
    probe = Probe("meta_sgd_grads", torch.tensor([[2.0]]), torch.tensor([[0.0]]), nn.MSELoss())
    got = candidate.run("meta_sgd_adapt", *args, probe=probe)
    want = {"0.weight": torch.tensor([[1.4]])}
    expect_close(
        got.value, want, name="θ'", mistakes=mistakes.on(lambda m: m.meta_sgd_adapt(*args))
    )
    expect_close(
        {"grads": got.probe["grads"], "lr_grads": got.probe["lr_grads"]},
        {
            "grads": {"0.weight": torch.tensor([[8.96]])},
            "lr_grads": {"0.weight": torch.tensor([[44.8]])},
        },
        name="gradients of the query loss",
        mistakes=mistakes.on(
            lambda m: {
                k: v
                for k, v in m.run("meta_sgd_adapt", *args, probe=probe).probe.items()
                if k in ("grads", "lr_grads")
            }
        ),
    )


def test_rates_are_looked_up_by_name(candidate, mistakes):
    """lrs may list the parameters in another order: weight rate 0.1, bias rate 0.5, given
    bias first. f(x) = w·x + b with w = 1, b = 0 on x = 1, y = 3: both gradients are
    2(1 - 3) = -4, so w' = 1 + 0.4 = 1.4 and b' = 0 + 2.0 = 2.0."""
    model = nn.Sequential(nn.Linear(1, 1))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[0].bias.fill_(0.0)
    lrs = {"0.bias": torch.tensor([0.5]), "0.weight": torch.tensor([[0.1]])}
    args = (model, lrs, torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss())
    expect_close(
        candidate.meta_sgd_adapt(*args),
        {"0.weight": torch.tensor([[1.4]]), "0.bias": torch.tensor([2.0])},
        name="θ'",
        mistakes=mistakes.on(lambda m: m.meta_sgd_adapt(*args)),
    )
