"""Public examples for maml-adapt (run them with `judge test maml-adapt FILE`)."""

import torch
from torch import nn

from judge.testing import Probe, expect_close


def make_task(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    x, y = torch.randn(5, 1), torch.randn(5, 1)
    x_q, y_q = torch.randn(7, 1), torch.randn(7, 1)
    return model, x, y, x_q, y_q


def test_two_steps(candidate, solution, mistakes):
    model, x, y, _, _ = make_task()
    args = (model, x, y, nn.MSELoss(), 0.1)
    expect_close(
        candidate.adapt(*args, steps=2),
        solution.adapt(*args, steps=2),
        name="adapted parameters",
        mistakes=mistakes.on(lambda m: m.adapt(*args, steps=2)),
    )


def test_model_is_not_changed(candidate, solution, mistakes):
    model, x, y, _, _ = make_task(1)
    before = {n: t.clone() for n, t in model.state_dict().items()}
    after = candidate.run("adapt", model, x, y, nn.MSELoss(), 0.1).args[0]
    expect_close(after, before, name="the model's parameters after adapt")


def test_second_order(candidate, solution, mistakes):
    model, x, y, x_q, y_q = make_task(2)
    args = (model, x, y, nn.MSELoss(), 0.5)
    probe = Probe("query_grad", x_q, y_q, nn.MSELoss())
    expect_close(
        candidate.run("adapt", *args, probe=probe).probe,
        solution.run("adapt", *args, probe=probe).probe,
        name="gradient of the query loss through the adapted parameters",
        mistakes=mistakes.on(lambda m: m.run("adapt", *args, probe=probe).probe),
    )


def one_weight(w: float) -> nn.Module:
    """f(x) = w·x: one weight, so every step of the example can be done by hand."""
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(w)
    return model


def test_worked_example_by_hand(candidate, mistakes):
    """Example. f(x) = w·x with w = 1, support x = 1, y = 3, MSE loss (w − 3)², gradient
    2(w − 3). Two steps of inner_lr 0.1: w = 1 + 0.4 = 1.4, then 1.4 + 0.32 = 1.72.
    For the query x = 2, y = 0 the loss is (2w')² with dL/dw' = 8w' = 13.76; each inner
    step multiplies dw'/dw by (1 − 2·0.1) = 0.8, so the second-order meta-gradient is
    13.76 · 0.64 = 8.8064, and the first-order one (inner gradients as constants) 13.76.

    中文：f(x) = w·x，w = 1，支持集 x = 1、y = 3，MSE 损失 (w − 3)²，梯度 2(w − 3)。以 `inner_lr`
    0.1 走两步：w = 1 + 0.4 = 1.4，然后 1.4 + 0.32 = 1.72。查询集 x = 2、y = 0 上的损失是
    (2w')²，dL/dw' = 8w' = 13.76；每个内层步都让 dw'/dw 乘以 (1 − 2·0.1) = 0.8，所以二阶元梯度是
    13.76 · 0.64 = 8.8064，一阶元梯度（把内层梯度当作常量）则是 13.76。"""
    args = (one_weight(1.0), torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    probe = Probe("query_grad", torch.tensor([[2.0]]), torch.tensor([[0.0]]), nn.MSELoss())
    for first_order, want in ((False, 8.8064), (True, 13.76)):
        got = candidate.run("adapt", *args, probe=probe, steps=2, first_order=first_order)
        expect_close(
            got.value,
            {"0.weight": torch.tensor([[1.72]])},
            name="adapted parameters",
            mistakes=mistakes.on(lambda m: m.adapt(*args, steps=2)),
        )
        expect_close(
            got.probe["grads"],
            {"0.weight": torch.tensor([[want]])},
            name=f"meta-gradient (first_order={first_order})",
            mistakes=mistakes.on(
                lambda m, fo=first_order: m.run(
                    "adapt", *args, probe=probe, steps=2, first_order=fo
                ).probe["grads"]
            ),
        )
