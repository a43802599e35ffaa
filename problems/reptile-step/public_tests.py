"""Public examples for reptile-step."""

import torch
from torch import nn

from judge.testing import expect_close, expect_inputs_unchanged


def make(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    x = torch.linspace(-2, 2, 8).unsqueeze(1)
    return model, x, torch.sin(x)


def test_three_inner_steps(candidate, solution, mistakes):
    args = (*make(), nn.MSELoss(), 0.1, 3, 0.5)
    expect_close(
        candidate.reptile_step(*args),
        solution.reptile_step(*args),
        name="θ + ε(φ − θ)",
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )


def test_outer_lr_zero_keeps_theta(candidate, solution, mistakes):
    model, x, y = make(1)
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    expect_close(
        candidate.reptile_step(model, x, y, nn.MSELoss(), 0.1, 3, 0.0), want, name="outer_lr=0"
    )


def one_weight(w: float) -> nn.Module:
    """f(x) = w·x: one weight, so every step of the example can be done by hand."""
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(w)
    return model


def test_worked_example_by_hand(candidate, mistakes):
    """Example. f(x) = w·x with w = 1, task x = 1, y = 3, MSE loss: two SGD steps of 0.1 give
    φ = 1 → 1.4 → 1.72, and outer_lr 0.5 moves θ half way: 1 + 0.5·(1.72 − 1) = 1.36.

    中文：f(x) = w·x，w = 1，任务 x = 1、y = 3，MSE 损失：以 0.1 走两步 SGD 得到 φ = 1 → 1.4 →
    1.72，`outer_lr` 0.5 把 θ 往 φ 移动一半：1 + 0.5·(1.72 − 1) = 1.36。"""
    args = (
        one_weight(1.0),
        torch.tensor([[1.0]]),
        torch.tensor([[3.0]]),
        nn.MSELoss(),
        0.1,
        2,
        0.5,
    )
    expect_close(
        candidate.reptile_step(*args),
        {"0.weight": torch.tensor([[1.36]])},
        name="new initialisation",
        mistakes=mistakes.on(lambda m: m.reptile_step(*args)),
    )


def test_the_model_is_not_changed(candidate, mistakes):
    """reptile_step returns the new initialisation and leaves the model as it was."""
    x, y = torch.tensor([[1.0]]), torch.tensor([[3.0]])
    args = (one_weight(1.0), x, y, nn.MSELoss(), 0.1, 2, 0.5)
    expect_inputs_unchanged(candidate, "reptile_step", *args, mistakes=mistakes)
