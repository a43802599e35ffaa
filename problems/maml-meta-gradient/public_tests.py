"""Public examples for maml-meta-gradient."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, expect_inputs_unchanged


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


def one_weight(w: float) -> nn.Module:
    """f(x) = w·x: one weight, so every step of the example can be done by hand."""
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(w)
    return model


def test_worked_example_by_hand(candidate, mistakes):
    """Example. One task: f(x) = w·x with w = 1, support x = 1, y = 3, query x = 2, y = 0,
    MSE loss, inner_lr 0.1, two steps. Adaptation: w' = 1 → 1.4 → 1.72; meta-loss
    (2·1.72)² = 11.8336; its gradient 8w' = 13.76 times (1 − 2·0.1)² = 0.64 is 8.8064
    (second order), or 13.76 with first_order=True.

    中文：一个任务：f(x) = w·x，w = 1，支持集 x = 1、y = 3，查询集 x = 2、y = 0，MSE
    损失，`inner_lr` 0.1，走两步。适应过程：w' = 1 → 1.4 → 1.72；元损失 (2·1.72)² =
    11.8336；它的梯度 8w' = 13.76 乘以 (1 − 2·0.1)² = 0.64 得 8.8064（二阶），`first_order=True`
    时则为 13.76。"""
    task = (
        torch.tensor([[1.0]]),
        torch.tensor([[3.0]]),
        torch.tensor([[2.0]]),
        torch.tensor([[0.0]]),
    )
    model = one_weight(1.0)
    for first_order, want in ((False, 8.8064), (True, 13.76)):
        expect_close(
            candidate.maml_meta_gradient(model, [task], nn.MSELoss(), 0.1, 2, first_order),
            (torch.tensor(11.8336), {"0.weight": torch.tensor([[want]])}),
            name=f"(meta_loss, meta_grad), first_order={first_order}",
            mistakes=mistakes.on(
                lambda m, fo=first_order: m.maml_meta_gradient(
                    model, [task], nn.MSELoss(), 0.1, 2, fo
                )
            ),
        )


def test_a_stale_grad_is_not_part_of_the_answer(candidate, mistakes):
    """The same example with every .grad already at 100.0 when the function is called: the
    answer is still 8.8064 (the meta-gradient alone, not 108.8064)."""
    task = tuple(torch.tensor([[v]]) for v in (1.0, 3.0, 2.0, 0.0))
    args = (one_weight(1.0), [task], nn.MSELoss(), 0.1, 2)
    probe = Probe("stale_grads", 100.0)
    got = candidate.run("maml_meta_gradient", *args, probe=probe).probe["value"]
    expect_close(
        got,
        (torch.tensor(11.8336), {"0.weight": torch.tensor([[8.8064]])}),
        name="(meta_loss, meta_grad) with .grad = 100 on entry",
        mistakes=mistakes.on(
            lambda m: m.run("maml_meta_gradient", *args, probe=probe).probe["value"]
        ),
    )


def test_the_model_is_not_changed(candidate, mistakes):
    """The function computes the meta-gradient; applying it is the caller's job."""
    task = tuple(torch.tensor([[v]]) for v in (1.0, 3.0, 2.0, 0.0))
    args = (one_weight(1.0), [task], nn.MSELoss(), 0.1, 2)
    expect_inputs_unchanged(candidate, "maml_meta_gradient", *args, mistakes=mistakes)


def test_a_parameter_the_loss_does_not_reach_gets_zeros(candidate, mistakes):
    """The worked example's model with one more parameter, `unused`, that its forward never
    reads: meta_grad['unused'] is zeros (not None, not left out); the rest is unchanged."""
    task = tuple(torch.tensor([[v]]) for v in (1.0, 3.0, 2.0, 0.0))
    model = one_weight(1.0)
    model.register_parameter("unused", nn.Parameter(torch.tensor([5.0, -5.0])))
    args = (model, [task], nn.MSELoss(), 0.1, 2)
    expect_close(
        candidate.maml_meta_gradient(*args),
        (
            torch.tensor(11.8336),
            {"unused": torch.tensor([0.0, 0.0]), "0.weight": torch.tensor([[8.8064]])},
        ),
        name="(meta_loss, meta_grad) with a parameter the loss does not reach",
        mistakes=mistakes.on(lambda m: m.maml_meta_gradient(*args)),
    )
