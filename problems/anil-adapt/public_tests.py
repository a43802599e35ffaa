"""Public tests: one step worked by hand, and the gradient that reaches the body."""

import torch
from torch import nn

from judge.testing import Probe, expect_close


def test_one_step_by_hand(candidate, solution, mistakes):
    # Body Linear(1, 1) with w = 2, b = 0, then ReLU; head Linear(1, 1) with w = 0.5, b = 0.
    # x = 1, y = 3: feature 2, prediction 1, MSE 4; d/dw = 2 * (1 - 3) * 2 = -8, d/db = -4.
    # One step at lr 0.1: head w = 0.5 + 0.8 = 1.3, b = 0.4; the body is unchanged.
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1))
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[0].bias.zero_()
        model[2].weight.fill_(0.5)
        model[2].bias.zero_()
    args = (model, torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    got = candidate.anil_adapt(*args, steps=1)
    want = {
        "0.weight": torch.tensor([[2.0]]),
        "0.bias": torch.tensor([0.0]),
        "2.weight": torch.tensor([[1.3]]),
        "2.bias": torch.tensor([0.4]),
    }
    expect_close(
        got, want, name="anil_adapt, one step", mistakes=mistakes.on(lambda m: m.anil_adapt(*args))
    )


def test_meta_gradient_reaches_the_body(candidate, solution, mistakes):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    x, y, x_q, y_q = torch.randn(6, 2), torch.randn(6, 1), torch.randn(8, 2), torch.randn(8, 1)
    args = (model, x, y, nn.MSELoss(), 0.3)
    probe = Probe("query_grad", x_q, y_q, nn.MSELoss())
    got = candidate.run("anil_adapt", *args, probe=probe, steps=2).probe
    want = solution.run("anil_adapt", *args, probe=probe, steps=2).probe
    expect_close(
        got,
        want,
        name="query loss and its gradient through anil_adapt (steps=2)",
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, probe=probe, steps=2).probe),
    )
