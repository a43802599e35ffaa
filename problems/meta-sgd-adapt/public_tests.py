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
