"""Public tests: a worked example by hand and the reduction to classical KD."""

import math

import torch
import torch.nn.functional as F

from judge.testing import expect_close

STUDENT = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
TEACHER = torch.tensor([[3.0, -1.0, 1.0], [2.0, 2.0, 0.0]])
LABELS = torch.tensor([0, 1])


def test_one_example_by_hand(candidate, solution, mistakes):
    """Example. One example, three classes, label 0, T = 2, alpha = 1, beta = 2. The student's
    logits [0, 0, 0] give q = [1/3, 1/3, 1/3]; the teacher's [0, 2 ln 3, 0] / T = [0, ln 3, 0]
    give p = [0.2, 0.6, 0.2]. Target vs the rest: b^p = [0.2, 0.8], b^q = [1/3, 2/3], so
    TCKD = 0.2 ln 0.6 + 0.8 ln 1.2 = 0.043692. Among the non-target classes 1 and 2:
    p̂ = [0.75, 0.25], q̂ = [0.5, 0.5], so NCKD = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812. The loss
    is T²(alpha TCKD + beta NCKD) = 4 (0.043692 + 2 · 0.130812) = 1.221265.

    中文：一个样本，三个类别，标签为 0，T = 2，alpha = 1，beta = 2。学生的 logits [0, 0, 0] 给出
    q = [1/3, 1/3, 1/3]；教师的 [0, 2 ln 3, 0] / T = [0, ln 3, 0] 给出 p = [0.2, 0.6, 0.2]。目标类
    与其余类：b^p = [0.2, 0.8]，b^q = [1/3, 2/3]，所以 TCKD = 0.2 ln 0.6 + 0.8 ln 1.2 = 0.043692。
    在非目标类 1 和 2 之间：p̂ = [0.75, 0.25]，q̂ = [0.5, 0.5]，所以
    NCKD = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812。损失为
    T²(alpha TCKD + beta NCKD) = 4 (0.043692 + 2 · 0.130812) = 1.221265。"""
    s = torch.zeros(1, 3)
    t = torch.tensor([[0.0, 2 * math.log(3.0), 0.0]])
    y = torch.tensor([0])
    args = (s, t, y, 1.0, 2.0, 2.0)
    expect_close(
        candidate.decoupled_kd_loss(*args),
        torch.tensor(1.221265),
        name="loss (T=2, alpha=1, beta=2)",
        mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(*args)),
    )


def test_worked_example(candidate, solution, mistakes):
    # T = 1, alpha = 1, beta = 8: TCKD = 0.24110 and NCKD = 0.82872 (batch means), so
    # 1 * 0.24110 + 8 * 0.82872 = 6.87090 (as in the prompt).
    args = (STUDENT, TEACHER, LABELS, 1.0, 8.0, 1.0)
    got = candidate.decoupled_kd_loss(*args)
    expect_close(
        got,
        torch.tensor(6.87090),
        name="loss (T=1, alpha=1, beta=8)",
        mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(*args)),
    )


def test_alpha_one_beta_non_target_mass_is_classical_kd(candidate, solution, mistakes):
    g = torch.Generator().manual_seed(0)
    s, t = 3 * torch.randn(6, 5, generator=g), 3 * torch.randn(6, 5, generator=g)
    y = torch.randint(5, (6,), generator=g)
    T = 2.0
    beta = 1 - torch.softmax(t / T, dim=1)[torch.arange(6), y]
    kd = (
        T
        * T
        * F.kl_div(
            F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction="batchmean", log_target=True
        )
    )
    got = candidate.decoupled_kd_loss(s, t, y, 1.0, beta, T)
    expect_close(
        got,
        kd,
        name="DKD with alpha=1, beta=1-p_target (must equal T^2 KL)",
        mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(s, t, y, 1.0, beta, T)),
    )
