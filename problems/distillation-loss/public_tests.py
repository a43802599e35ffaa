"""Public tests: a worked example and the alpha = 0 corner."""

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
