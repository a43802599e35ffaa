"""Public examples for maml-meta-gradient."""

import torch
from torch import nn

from judge.testing import expect_close


def make(seed, n_tasks):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    tasks = []
    for _ in range(n_tasks):
        amp, phase = 1 + torch.rand(()), torch.rand(())
        x_s, x_q = 10 * torch.rand(5, 1) - 5, 10 * torch.rand(6, 1) - 5
        tasks.append((x_s, amp * torch.sin(x_s - phase), x_q, amp * torch.sin(x_q - phase)))
    return model, tasks


def test_one_task(candidate, solution, mistakes):
    model, tasks = make(0, 1)
    args = (model, tasks, nn.MSELoss(), 0.1)
    expect_close(
        candidate.maml_meta_gradient(*args),
        solution.maml_meta_gradient(*args),
        name="(meta_loss, meta_grad)",
        mistakes=mistakes.on(lambda m: m.maml_meta_gradient(*args)),
    )


def test_three_tasks_two_steps(candidate, solution, mistakes):
    model, tasks = make(1, 3)
    args = (model, tasks, nn.MSELoss(), 0.1)
    expect_close(
        candidate.maml_meta_gradient(*args, steps=2),
        solution.maml_meta_gradient(*args, steps=2),
        name="(meta_loss, meta_grad)",
        mistakes=mistakes.on(lambda m: m.maml_meta_gradient(*args, steps=2)),
    )
