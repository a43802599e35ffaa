"""Public tests: a worked example and the alpha = 0 corner."""

import math

import torch
import torch.nn.functional as F

from judge.testing import expect_close


def make_batch(seed: int, batch: int = 6, classes: int = 4, scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    student = scale * torch.randn(batch, classes, generator=g)
    teacher = scale * torch.randn(batch, classes, generator=g)
    labels = torch.randint(classes, (batch,), generator=g)
    return student, teacher, labels


def test_example(candidate, solution, mistakes):
    s, t, y = make_batch(0)
    got = candidate.distillation_loss(s, t, y, 2.0, 0.5)
    want = solution.distillation_loss(s, t, y, 2.0, 0.5)
    expect_close(
        got,
        want,
        name="loss (T=2, alpha=0.5)",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 2.0, 0.5)),
    )


def test_alpha_zero_is_plain_cross_entropy(candidate, solution, mistakes):
    s, t, y = make_batch(1)
    got = candidate.distillation_loss(s, t, y, 3.0, 0.0)
    expect_close(
        got,
        F.cross_entropy(s, y),
        name="loss with alpha=0",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 3.0, 0.0)),
    )


def test_worked_example_by_hand(candidate, mistakes):
    """Example. One example, two classes, T = 2, alpha = 0.5. The teacher's logits
    [2 ln 3, 0] / T = [ln 3, 0] give p = [0.75, 0.25]; the student's [0, 0] give q = [0.5,
    0.5]. KL(p || q) = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812, times T² = 4: 0.523248. The
    hard term is -log softmax([0, 0])_0 = ln 2 = 0.693147. Loss: 0.5·0.523248 + 0.5·0.693147
    = 0.608198.

    中文：一个样本，两个类，T = 2，alpha = 0.5。教师的 logits [2 ln 3, 0] / T = [ln 3, 0] 给出 p
    = [0.75, 0.25]；学生的 [0, 0] 给出 q = [0.5, 0.5]。KL(p || q) = 0.75 ln 1.5 + 0.25 ln 0.5 =
    0.130812，乘以 T² = 4 得 0.523248。硬标签项是 -log softmax([0, 0])_0 = ln 2 =
    0.693147。损失：0.5·0.523248 + 0.5·0.693147 = 0.608198。"""
    s = torch.tensor([[0.0, 0.0]])
    t = torch.tensor([[2 * math.log(3.0), 0.0]])
    y = torch.tensor([0])
    expect_close(
        candidate.distillation_loss(s, t, y, 2.0, 0.5),
        torch.tensor(0.608198),
        name="loss (T=2, alpha=0.5)",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 2.0, 0.5)),
    )


def test_large_logits_stay_finite(candidate, mistakes):
    """Logits in the hundreds: softmax underflows to exactly 0 in float32, so log(softmax)
    would be -inf; log_softmax stays finite. Student [[300, 0]], teacher [[0, 300]], T = 1,
    alpha = 1: the KL is 300 (the teacher's class is 300 nats less likely for the student)."""
    s, t, y = torch.tensor([[300.0, 0.0]]), torch.tensor([[0.0, 300.0]]), torch.tensor([1])
    expect_close(
        candidate.distillation_loss(s, t, y, 1.0, 1.0),
        torch.tensor(300.0),
        name="loss (T=1, alpha=1)",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 1.0, 1.0)),
    )
