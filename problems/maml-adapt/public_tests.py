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
