"""Hidden tests for decoupled-kd: both terms and their weights, the reduction to KD, per-example
beta, two classes, large logits, float64, the inputs left alone, the gradient (reaching the
student, never the teacher) and the ValueError cases, each at least twice.

Inputs come from the per-grade ``seed``. Points follow the clause: the loss's value (both
terms, their weights, the reduction to KD) weighs most, then the teacher kept out of the
gradient; the inputs left alone and the argument checks least.
"""

import torch
import torch.nn.functional as F

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def batch(seed, n=8, c=5, scale=3.0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    s = scale * torch.randn(n, c, generator=g, dtype=dtype)
    t = scale * torch.randn(n, c, generator=g, dtype=dtype)
    return s, t, torch.randint(c, (n,), generator=g)


def compare(candidate, solution, mistakes, args, name):
    """The value against the solution (the inputs left alone are tests of their own)."""
    got = candidate.decoupled_kd_loss(*args)
    want = solution.decoupled_kd_loss(*args)
    expect_close(got, want, name=name, mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(*args)))
    return got


def raises(mistakes, fn):
    expect_raises(ValueError, fn, hint=mistakes.hint("no_validation"))


def kd(s, t, T):
    return (
        T
        * T
        * F.kl_div(
            F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction="batchmean", log_target=True
        )
    )


@points(7)
def test_values_temperature_four(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 1)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 4.0), "loss (T=4, alpha=1, beta=8)")


@points(7)
def test_values_many_classes(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 2, n=16, c=100)
    compare(candidate, solution, mistakes, (s, t, y, 0.5, 2.0, 2.0), "loss (100 classes)")


@points(8)
def test_each_weight_selects_its_own_term(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 3)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 0.0, 3.0), "TCKD alone (beta=0)")
    compare(candidate, solution, mistakes, (s, t, y, 0.0, 1.0, 3.0), "NCKD alone (alpha=0)")


@points(10)
def test_reduces_to_classical_kd(candidate, solution, mistakes, seed):
    for offset, T, dtype in [(4, 1.0, torch.float32), (5, 3.0, torch.float64)]:
        s, t, y = batch(seed + offset, n=7, c=6, dtype=dtype)
        beta = 1 - torch.softmax(t / T, 1)[torch.arange(7), y]
        got = candidate.decoupled_kd_loss(s, t, y, 1.0, beta, T)
        expect_close(
            got,
            kd(s, t, T),
            name=f"alpha=1, beta=1-p_target at T={T} ({dtype}): classical T^2 KL",
            mistakes=mistakes.on(
                lambda m, s=s, t=t, y=y, b=beta, T=T: m.decoupled_kd_loss(s, t, y, 1.0, b, T)
            ),
        )


@points(8)
def test_per_example_beta(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 6, n=9)
    beta = torch.linspace(0.0, 4.0, 9)
    compare(candidate, solution, mistakes, (s, t, y, 2.0, beta, 2.0), "loss (beta per example)")


@points(4)
def test_two_classes_have_no_non_target_term(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 7, n=6, c=2)
    got = compare(candidate, solution, mistakes, (s, t, y, 1.0, 5.0, 2.0), "loss (2 classes)")
    # With one non-target class NCKD is 0 and TCKD is the whole KD.
    expect_close(got, kd(s, t, 2.0), name="2 classes: DKD(alpha=1) equals KD")


def check_finite(candidate, solution, mistakes, args, scale):
    got = candidate.decoupled_kd_loss(*args)
    expect(
        bool(torch.isfinite(got).all()),
        f"the loss is {got.tolist()} for logits of magnitude ~{scale:g}: it must be finite",
        hint=mistakes.hint("log_of_softmax"),
    )
    compare(candidate, solution, mistakes, args, f"loss (logits ~{scale:g})")


@points(5)
def test_large_logits_stay_finite(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 8, scale=150.0)
    check_finite(candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 1.0), 150.0)


@points(5)
def test_larger_logits_stay_finite(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 9, n=5, c=7, scale=400.0)
    check_finite(candidate, solution, mistakes, (s, t, y, 0.5, 2.0, 2.0), 400.0)


@points(2)
def test_two_classes_with_per_example_beta(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 22, n=5, c=2, dtype=torch.float64)
    beta = torch.linspace(1.0, 9.0, 5, dtype=torch.float64)
    got = compare(candidate, solution, mistakes, (s, t, y, 0.5, beta, 3.0), "loss (2 classes)")
    expect_close(got, 0.5 * kd(s, t, 3.0), name="2 classes: DKD(alpha=0.5) equals KD / 2")


@points(6)
def test_float64_stays_float64(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 10, dtype=torch.float64)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 4.0), "loss (float64)")
    s, t, y = batch(seed + 11, n=3, c=4, dtype=torch.float64)
    beta = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    compare(candidate, solution, mistakes, (s, t, y, 0.3, beta, 1.5), "loss (float64, beta [3])")


def check_teacher_grad(candidate, mistakes, args):
    outcome = candidate.run("decoupled_kd_loss", *args, probe=Probe("arg_grads", 0, 1))
    grad = outcome.probe["grads"]["1"]
    expect(
        "1" in outcome.probe["unused"] and bool((grad == 0).all()),
        f"a gradient reached teacher_logits at T={args[-1]}: max |d loss / d teacher| = "
        f"{grad.abs().max().item():.3g}",
        hint=mistakes.hint("teacher_not_detached"),
    )


@points(8)
def test_no_gradient_reaches_the_teacher(candidate, mistakes, seed):
    s, t, y = batch(seed + 12)
    check_teacher_grad(candidate, mistakes, (s, t, y, 1.0, 8.0, 1.0))


@points(8)
def test_no_gradient_reaches_the_teacher_per_example_beta(candidate, mistakes, seed):
    s, t, y = batch(seed + 13, n=6, c=9)
    check_teacher_grad(candidate, mistakes, (s, t, y, 0.5, torch.linspace(0.5, 3.0, 6), 4.0))


def check_student_grad(candidate, solution, mistakes, call, name):
    probe = Probe("arg_grads", 0, 1)

    def grads(runner):
        return runner.run("decoupled_kd_loss", *call, probe=probe).probe["grads"]["0"]

    expect_close(grads(candidate), grads(solution), name=name, mistakes=mistakes.on(grads))


@points(4)
def test_gradient_wrt_student(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 14)
    check_student_grad(
        candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 4.0), "d loss / d student_logits (T=4)"
    )


@points(4)
def test_gradient_wrt_student_at_temperature_one(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 15, n=10, c=4)
    check_student_grad(
        candidate, solution, mistakes, (s, t, y, 0.5, 2.0, 1.0), "d loss / d student_logits (T=1)"
    )


@points(4)
def test_inputs_are_not_modified(candidate, mistakes, seed):
    s, t, y = batch(seed + 19)
    expect_inputs_unchanged(
        candidate, "decoupled_kd_loss", s, t, y, 1.0, 8.0, 4.0, mistakes=mistakes
    )


@points(4)
def test_inputs_are_not_modified_per_example_beta(candidate, mistakes, seed):
    s, t, y = batch(seed + 20, n=5, c=6, dtype=torch.float64)
    beta = torch.linspace(0.0, 2.0, 5, dtype=torch.float64)
    expect_inputs_unchanged(
        candidate, "decoupled_kd_loss", s, t, y, 2.0, beta, 3.0, mistakes=mistakes
    )


@points(1.5)
def test_bad_shapes_raise_value_error(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 16)
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t[:, :4], y, 1.0, 8.0, 2.0))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y[:5], 1.0, 8.0, 2.0))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, torch.ones(3), 2.0))
    one = s[:, :1]  # one class
    raises(
        mistakes,
        lambda: candidate.decoupled_kd_loss(one, one.clone(), torch.zeros(8).long(), 1, 1, 1),
    )


@points(1.5)
def test_more_bad_shapes_raise_value_error(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 18, n=4, c=3)
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s[None], t[None], y, 1, 1, 1))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t[:3], y, 1.0, 8.0, 2.0))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, torch.ones(4, 1), 2.0))
    one = s[:, :1].double()  # one class
    raises(mistakes, lambda: candidate.decoupled_kd_loss(one, one + 1, y * 0, 1.0, 8.0, 2.0))


@points(1.5)
def test_bad_labels_or_temperature_raise_value_error(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 17)
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, 8.0, 0.0))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, 8.0, -2.0))
    bad = y.clone()
    bad[3] = 5
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, bad, 1.0, 8.0, 2.0))
    bad[3] = -1
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, bad, 1.0, 8.0, 2.0))


@points(1.5)
def test_more_bad_labels_or_temperature_raise_value_error(candidate, solution, mistakes, seed):
    s, t, y = batch(seed + 21, n=5, c=3, dtype=torch.float64)
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y, 0.5, 1.0, -0.5))
    bad = y.clone()
    bad[0] = 3
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, bad, 0.5, 1.0, 1.0))
    raises(mistakes, lambda: candidate.decoupled_kd_loss(s, t, y[None], 0.5, 1.0, 1.0))
