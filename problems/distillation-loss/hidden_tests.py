"""Hidden tests: every term, every weight, both temperatures, stability and the gradient.

Each mistake in mistakes/ fails at least one test here with its own hint: most differ in
value at T=4, alpha=0.7 (test_temperature_four); log(softmax) fails on large logits;
the undetached teacher fails only the gradient probe.

Inputs come from the per-grade ``seed``. Points follow the clause: the loss's value (each
term, its weight and temperature) weighs most, then the teacher kept out of the gradient,
then stability on large logits; stability, the teacher's gradient and the student's
gradient each have two tests on different inputs.
"""

import torch
import torch.nn.functional as F

from judge.testing import Probe, expect, expect_close, points


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


@points(7)
def test_returns_a_scalar(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 10)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 0.5), "loss (T=1, alpha=0.5)")


@points(11)
def test_temperature_four(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 11)
    compare(candidate, solution, mistakes, (s, t, y, 4.0, 0.7), "loss (T=4, alpha=0.7)")


@points(10)
def test_pure_soft_term(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 12)
    compare(candidate, solution, mistakes, (s, t, y, 3.0, 1.0), "loss (T=3, alpha=1)")


@points(10)
def test_pure_hard_term_at_high_temperature(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 13)
    got = candidate.distillation_loss(s, t, y, 5.0, 0.0)
    expect_close(
        got,
        F.cross_entropy(s, y),
        name="loss (T=5, alpha=0): plain cross-entropy at T=1",
        mistakes=mistakes.on(lambda m: m.distillation_loss(s, t, y, 5.0, 0.0)),
    )


@points(8)
def test_many_classes(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 14, batch=16, classes=100)
    compare(candidate, solution, mistakes, (s, t, y, 2.0, 0.9), "loss (100 classes)")


@points(7)
def test_batch_of_one(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 15, batch=1, classes=7)
    compare(candidate, solution, mistakes, (s, t, y, 2.5, 0.3), "loss (batch of one)")


@points(7)
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


def check_stable(candidate, solution, mistakes, args, scale):
    got = candidate.distillation_loss(*args)
    expect(
        bool(torch.isfinite(got).all()),
        f"the loss is {got.tolist()} for logits of magnitude ~{scale:g}: it must stay finite",
        hint=mistakes.hint("softmax_then_log"),
    )
    compare(candidate, solution, mistakes, args, f"loss (logits ~{scale:g})")


@points(6)
def test_large_logits_are_stable(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 17, scale=120.0)
    check_stable(candidate, solution, mistakes, (s, t, y, 1.0, 0.5), 120.0)


@points(6)
def test_larger_logits_at_temperature_two_are_stable(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 20, batch=5, classes=9, scale=400.0)
    check_stable(candidate, solution, mistakes, (s, t, y, 2.0, 0.8), 400.0)


def check_teacher_grad(candidate, mistakes, args):
    outcome = candidate.run("distillation_loss", *args, probe=Probe("arg_grads", 0, 1))
    teacher_grad = outcome.probe["grads"]["1"]
    expect(
        "1" in outcome.probe["unused"] and bool((teacher_grad == 0).all()),
        f"a gradient reached teacher_logits at T={args[3]}: max |d loss / d teacher_logits| = "
        f"{teacher_grad.abs().max().item():.3g}",
        hint=mistakes.hint("teacher_not_detached"),
    )


@points(8)
def test_no_gradient_reaches_the_teacher(candidate, mistakes, seed):
    s, t, y = make_batch(seed + 18)
    check_teacher_grad(candidate, mistakes, (s, t, y, 2.0, 0.8))


@points(8)
def test_no_gradient_reaches_the_teacher_at_temperature_one(candidate, mistakes, seed):
    s, t, y = make_batch(seed + 21, batch=6, classes=12)
    check_teacher_grad(candidate, mistakes, (s, t, y, 1.0, 0.4))


def check_student_grad(candidate, solution, mistakes, args, name):
    probe = Probe("arg_grads", 0, 1)

    def grads(runner):
        return runner.run("distillation_loss", *args, probe=probe).probe["grads"]["0"]

    expect_close(grads(candidate), grads(solution), name=name, mistakes=mistakes.on(grads))


@points(6)
def test_gradient_wrt_student(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 19)
    check_student_grad(
        candidate, solution, mistakes, (s, t, y, 3.0, 0.6), "d loss / d student_logits (T=3)"
    )


@points(6)
def test_gradient_wrt_student_many_classes(candidate, solution, mistakes, seed):
    s, t, y = make_batch(seed + 22, batch=12, classes=30)
    check_student_grad(
        candidate, solution, mistakes, (s, t, y, 1.5, 0.9), "d loss / d student_logits (T=1.5)"
    )
