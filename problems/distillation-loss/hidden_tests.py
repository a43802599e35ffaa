"""Hidden tests: every term, every weight, both temperatures, stability and the gradient.

Each mistake in mistakes/ fails at least one test here with its own hint: most differ in
value at T=4, alpha=0.7 (test_temperature_four); log(softmax) fails on large logits;
the undetached teacher fails only the gradient probe.
"""

import torch
import torch.nn.functional as F

from judge.testing import Probe, expect, expect_close


def make_batch(seed: int, batch: int = 8, classes: int = 5, scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    student = scale * torch.randn(batch, classes, generator=g)
    teacher = scale * torch.randn(batch, classes, generator=g)
    labels = torch.randint(classes, (batch,), generator=g)
    return student, teacher, labels


def compare(candidate, solution, mistakes, args, name):
    got = candidate.distillation_loss(*args)
    want = solution.distillation_loss(*args)
    expect_close(got, want, name=name, mistakes=mistakes.on(lambda m: m.distillation_loss(*args)))
    return got


def test_returns_a_scalar(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 10)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 0.5), "loss (T=1, alpha=0.5)")


def test_temperature_four(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 11)
    compare(candidate, solution, mistakes, (s, t, y, 4.0, 0.7), "loss (T=4, alpha=0.7)")


def test_pure_soft_term(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 12)
    compare(candidate, solution, mistakes, (s, t, y, 3.0, 1.0), "loss (T=3, alpha=1)")


def test_pure_hard_term_at_high_temperature(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 13)
    got = candidate.distillation_loss(s, t, y, 5.0, 0.0)
    expect_close(
        got,
        F.cross_entropy(s, y),
        name="loss (T=5, alpha=0): plain cross-entropy at T=1",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 5.0, 0.0)),
    )


def test_many_classes(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 14, batch=16, classes=100)
    compare(candidate, solution, mistakes, (s, t, y, 2.0, 0.9), "loss (100 classes)")


def test_batch_of_one(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 15, batch=1, classes=7)
    compare(candidate, solution, mistakes, (s, t, y, 2.5, 0.3), "loss (batch of one)")


def test_identical_logits_have_no_soft_loss(candidate, solution, mistakes, seed):
    s, _, y = make_batch(seed + 16)
    got = candidate.distillation_loss(s, s.clone(), y, 4.0, 1.0)
    expect_close(
        got,
        torch.tensor(0.0),
        atol=1e-5,
        name="soft loss when student = teacher",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, s.clone(), y, 4.0, 1.0)),
    )


def test_large_logits_are_stable(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 17, scale=120.0)
    got = candidate.distillation_loss(s, t, y, 1.0, 0.5)
    expect(
        bool(torch.isfinite(got).all()),
        f"the loss is {got.tolist()} for logits of magnitude ~100: it must stay finite",
        hint=mistakes.hint("softmax_then_log"),
    )
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 0.5), "loss (large logits)")


def test_no_gradient_reaches_the_teacher(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 18)
    outcome = candidate.run("distillation_loss", s, t, y, 2.0, 0.8, probe=Probe("arg_grads", 0, 1))
    teacher_grad = outcome.probe["grads"]["1"]
    expect(
        "1" in outcome.probe["unused"] and bool((teacher_grad == 0).all()),
        "a gradient reached teacher_logits: max |d loss / d teacher_logits| = "
        f"{teacher_grad.abs().max().item():.3g}",
        hint=mistakes.hint("teacher_not_detached"),
    )


def test_gradient_wrt_student(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 19)
    args = (s, t, y, 3.0, 0.6)
    got = candidate.run("distillation_loss", *args, probe=Probe("arg_grads", 0, 1)).probe
    want = solution.run("distillation_loss", *args, probe=Probe("arg_grads", 0, 1)).probe
    expect_close(
        got["grads"]["0"],
        want["grads"]["0"],
        name="d loss / d student_logits",
        mistakes=mistakes.on(
            lambda m: m.run("distillation_loss", *args, probe=Probe("arg_grads", 0, 1)).probe[
                "grads"
            ]["0"]
        ),
    )
