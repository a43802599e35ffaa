"""Public tests: a worked example by hand and the reduction to classical KD."""

import torch
import torch.nn.functional as F

from judge.testing import expect_close

STUDENT = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
TEACHER = torch.tensor([[3.0, -1.0, 1.0], [2.0, 2.0, 0.0]])
LABELS = torch.tensor([0, 1])


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
