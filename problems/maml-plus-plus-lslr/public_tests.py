"""Public tests: two steps worked by hand, with the gradients to the model and to the rates."""

import torch
from torch import nn

from judge.testing import Probe, expect_close


def hand_example():
    # f(x) = w x with w = 0; support (1, 1), query (2, 2); MSE; rates [0.25, 0.5]; weights
    # [0.5, 1]. Step 1: grad 2(w - 1) = -2, w1 = 0.5, query loss (2 * 0.5 - 2)^2 = 1.
    # Step 2: grad 2(0.5 - 1) = -1, w2 = 1.0, query loss 0. Total 0.5 * 1 + 1 * 0 = 0.5.
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    lrs = {"weight": torch.tensor([0.25, 0.5])}
    one, two = torch.tensor([[1.0]]), torch.tensor([[2.0]])
    return model, lrs, one, one, two, two, nn.MSELoss(), torch.tensor([0.5, 1.0])


def test_two_steps_by_hand(candidate, solution, mistakes):
    """Example. f(x) = w x with w = 0, support (1, 1), query (2, 2), MSE, rates [0.25, 0.5]
    and step weights [0.5, 1]. Step 1: the support gradient is 2(w − 1) = −2, so
    w₁ = 0 + 0.25·2 = 0.5 and the query loss is (2·0.5 − 2)² = 1. Step 2: the gradient is
    2(0.5 − 1) = −1, so w₂ = 0.5 + 0.5·1 = 1 and the query loss is 0. The multi-step loss is
    0.5·1 + 1·0 = 0.5.

    中文：f(x) = w x，w = 0，支持集 (1, 1)，查询集 (2, 2)，MSE，学习率 [0.25, 0.5]，步权重
    [0.5, 1]。第 1 步：支持集梯度为 2(w − 1) = −2，所以 w₁ = 0 + 0.25·2 = 0.5，查询损失为
    (2·0.5 − 2)² = 1。第 2 步：梯度为 2(0.5 − 1) = −1，所以 w₂ = 0.5 + 0.5·1 = 1，查询损失为 0。
    多步损失为 0.5·1 + 1·0 = 0.5。"""
    args = hand_example()
    got = candidate.lslr_multi_step_loss(*args)
    expect_close(
        got,
        torch.tensor(0.5),
        name="multi-step loss of the worked example",
        mistakes=mistakes.on(lambda m: m.lslr_multi_step_loss(*args)),
    )


def test_gradients_by_hand(candidate, solution, mistakes):
    # w1 = w + 2 r1 (1 - w): d(0.5 * (2 w1 - 2)^2)/d r1 = 0.5 * 2 * (-1) * 2 * 2 = -4 and,
    # through w1's slope 1 - 2 r1 = 0.5, d/dw = -1; the second step's loss is 0 at a minimum,
    # so it adds nothing: d/d r2 = 0.
    args = hand_example()
    probe = Probe("input_grads", 0, 1)
    got = candidate.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
    want = {"0.weight": torch.tensor([[-1.0]]), "1.weight": torch.tensor([-4.0, 0.0])}
    expect_close(
        got,
        want,
        name="gradients w.r.t. the weight (0.weight) and the rates (1.weight)",
        mistakes=mistakes.on(
            lambda m: m.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
        ),
    )
