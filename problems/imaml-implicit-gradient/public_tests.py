"""Public tests: one parameter worked by hand, and a small network against the reference."""

import torch
from torch import nn

from judge.testing import expect_close


def test_one_parameter_by_hand(candidate, solution, mistakes):
    """Example. f(x) = w x with the adapted w = 1. Support inputs x = [1, 2]: the MSE's
    Hessian at the adapted w is 2·mean(x²) = 5, whatever the targets. Query (1, 3): the query
    gradient is g = 2·(1 − 3)·1 = −4. With λ = 5 the system is (1 + 5/5) v = −4, so v = −2; in
    one dimension a single CG step solves it exactly.

    中文：f(x) = w x，适应后的 w = 1。支持集输入 x = [1, 2]：MSE 在适应后的 w 处的 Hessian 为
    2·mean(x²) = 5，与目标值无关。查询集 (1, 3)：查询梯度 g = 2·(1 − 3)·1 = −4。λ = 5 时方程为
    (1 + 5/5) v = −4，所以 v = −2；一维时共轭梯度一步就能精确求解。"""
    model = nn.Linear(1, 1, bias=False)
    adapted = {"weight": torch.tensor([[1.0]])}
    args = (
        model,
        adapted,
        torch.tensor([[1.0], [2.0]]),
        torch.tensor([[0.5], [-1.0]]),
        torch.tensor([[1.0]]),
        torch.tensor([[3.0]]),
        nn.MSELoss(),
        5.0,
        1,
    )
    got = candidate.imaml_meta_gradient(*args)
    expect_close(
        got,
        {"weight": torch.tensor([[-2.0]])},
        name="implicit meta-gradient of the worked example",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def test_small_network(candidate, solution, mistakes):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
    adapted = {n: p.detach() + 0.1 * torch.randn_like(p) for n, p in model.named_parameters()}
    x_s, y_s, x_q, y_q = torch.randn(5, 2), torch.randn(5, 1), torch.randn(8, 2), torch.randn(8, 1)
    args = (model, adapted, x_s, y_s, x_q, y_q, nn.MSELoss(), 2.0, 4)
    expect_close(
        candidate.imaml_meta_gradient(*args),
        solution.imaml_meta_gradient(*args),
        name="implicit meta-gradient (lam=2, cg_steps=4)",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )
