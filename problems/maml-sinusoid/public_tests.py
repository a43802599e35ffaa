"""Public examples for maml-sinusoid: a short budget (5 s), checking the returned network
and that adapting it helps. The hidden tests give the full 60 s and grade the adapted MSE
against the bar and the pretrained baseline (see the prompt)."""

import torch
from torch import nn

from judge.testing import TestFailed, expect

SHORT_BUDGET_S = 5.0


def architecture():
    return nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )


def trained(candidate):
    """One short meta-training per graded submission, loaded into the architecture."""
    model = getattr(candidate, "_sinusoid_public_model", None)
    if model is None:
        state = candidate.meta_train(0, SHORT_BUDGET_S)
        model = architecture()
        try:
            model.load_state_dict(state, strict=True)
        except (RuntimeError, TypeError, AttributeError) as exc:
            raise TestFailed(f"not the required architecture: {exc}") from None
        candidate._sinusoid_public_model = model
    return model


def query_mse_after(model, steps, n_tasks=20):
    gen = torch.Generator().manual_seed(123)
    grid = torch.linspace(-5, 5, 100).unsqueeze(1)
    total = 0.0
    for _ in range(n_tasks):
        amp, phase = (
            0.1 + 4.9 * torch.rand((), generator=gen),
            torch.pi * torch.rand((), generator=gen),
        )
        x = -5 + 10 * torch.rand(10, 1, generator=gen)
        net = architecture()
        net.load_state_dict(model.state_dict())
        for _ in range(steps):
            loss = nn.functional.mse_loss(net(x), amp * torch.sin(x - phase))
            grads = torch.autograd.grad(loss, list(net.parameters()))
            with torch.no_grad():
                for p, g in zip(net.parameters(), grads, strict=True):
                    p -= 0.01 * g
        with torch.no_grad():
            total += float(nn.functional.mse_loss(net(grid), amp * torch.sin(grid - phase)))
    return total / n_tasks


def test_returns_the_architecture(candidate, mistakes):
    """Example. The returned state dict loads into the 1-40-40-1 network, which maps the 7
    inputs x = -5, -10/3, ..., 5 (shape [7, 1]) to 7 finite outputs (shape [7, 1]).

    中文：返回的 state dict 能加载进 1-40-40-1 网络，该网络把 7 个输入 x = -5, -10/3, ...,
    5（形状 [7, 1]）映射为 7 个有限的输出（形状 [7, 1]）。"""
    model = trained(candidate)
    with torch.no_grad():
        out = model(torch.linspace(-5, 5, 7).unsqueeze(1))
    expect(tuple(out.shape) == (7, 1), f"the network's output has shape {tuple(out.shape)}")
    expect(bool(torch.isfinite(out).all()), "the network's outputs are not finite")


def test_ten_steps_of_adaptation_help(candidate, mistakes):
    model = trained(candidate)
    before, after = query_mse_after(model, 0), query_mse_after(model, 10)
    expect(
        after < before,
        f"after {SHORT_BUDGET_S:g} s of meta-training, ten SGD steps on 10 points should lower "
        f"the query MSE: {before:.3f} before, {after:.3f} after",
    )


PUBLIC_BAR = 0.8  # the hidden tests' bar after ten steps, here with a twelfth of their budget


def test_ten_steps_reach_the_bar_after_a_short_budget(candidate, mistakes):
    """Example. After 5 s of meta-training, ten SGD steps (lr 0.01) on 10 points of a new
    sinusoid bring the query MSE over [-5, 5] below 0.8, the hidden tests' bar. MAML gets
    about 0.1 in 5 s (0.4 with half a second); a network pretrained on all tasks at once
    stays near 1.3, and an untrained one near 3.7.

    中文：元训练 5 秒后，在一个新正弦任务的 10 个点上做十步 SGD（学习率 0.01），[-5, 5]
    上的查询 MSE 应低于 0.8，即隐藏测试的门槛。MAML 在 5 秒内约得 0.1（半秒也有 0.4）；
    在所有任务上一起预训练的网络停在 1.3 左右，未训练的网络约 3.7。"""
    model = trained(candidate)
    before, after = query_mse_after(model, 0), query_mse_after(model, 10)
    untrained = before > 3.5  # the zero-step MSE of a fresh network on these tasks
    expect(
        after < PUBLIC_BAR,
        f"after {SHORT_BUDGET_S:g} s of meta-training, ten SGD steps give a query MSE of "
        f"{after:.3f} (before the steps: {before:.3f}); the bar is {PUBLIC_BAR}",
        mistakes.hint("untrained" if untrained else "joint_pretraining"),
    )
