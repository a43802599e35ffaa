"""Public tests: one step worked by hand, and the gradient that reaches the body."""

import torch
from torch import nn

from judge.testing import Probe, expect_close


def test_one_step_by_hand(candidate, solution, mistakes):
    """Example. Body `Linear(1, 1)` with weight 2 and bias 0, then `ReLU`; head `Linear(1, 1)`
    with weight 0.5 and bias 0; x = 1, y = 3, MSE, lr 0.1, one step. The feature is 2 and the
    prediction 1, so the loss is 4; its gradients are 2·(1 − 3)·2 = −8 for the head's weight
    and −4 for its bias. One step makes the head's weight 0.5 + 0.8 = 1.3 and its bias 0.4;
    the body's entries are the model's own parameters, unchanged.

    中文：主体为 `Linear(1, 1)`（权重 2，偏置 0）接 `ReLU`；分类头为 `Linear(1, 1)`（权重 0.5，
    偏置 0）；x = 1，y = 3，MSE，学习率 0.1，走一步。特征为 2，预测为 1，损失为 4；它对分类头权重的
    梯度为 2·(1 − 3)·2 = −8，对偏置的梯度为 −4。走一步后分类头的权重为 0.5 + 0.8 = 1.3，偏置为
    0.4；主体的条目就是模型自己的参数，保持不变。"""
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
