"""Hidden tests for feature-distillation: values on vectors and on feature maps, float64,
gradients (to the student and the regressor, never the teacher) through the input_grads
probe, the inputs and the regressor left alone, and the ValueError cases, each twice.

Inputs come from the per-grade ``seed``. Points follow the clause: the loss's value and the
gradients that train the student and the regressor weigh most, then the teacher kept out of
the gradient; the inputs left alone and the argument checks least."""

import torch
from torch import nn

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def vectors(seed, n=6, ds=5, dt=9, dtype=torch.float32):
    torch.manual_seed(seed)
    regressor = nn.Linear(ds, dt).to(dtype)
    return torch.randn(n, ds, dtype=dtype), torch.randn(n, dt, dtype=dtype), regressor


def maps(seed, n=3, cs=4, ct=6, hw=5, kernel=1):
    torch.manual_seed(seed)
    regressor = nn.Conv2d(cs, ct, kernel, padding=kernel // 2)
    return torch.randn(n, cs, hw, hw), torch.randn(n, ct, hw, hw), regressor


def compare(candidate, solution, mistakes, args, name):
    """The value against the solution (the inputs left alone are tests of their own)."""
    expect_close(
        candidate.hint_loss(*args),
        solution.hint_loss(*args),
        name=name,
        mistakes=mistakes.on(lambda m: m.hint_loss(*args)),
    )


def trained(probe):
    """The gradients to the student's features and to the regressor (the teacher's, which
    must be none, are tests of their own)."""
    grads = probe["grads"] if isinstance(probe, dict) else probe
    if not isinstance(grads, dict):
        return grads
    return {k: v for k, v in grads.items() if k == "0" or k.startswith("2.")}


def check_grads(candidate, solution, mistakes, args, name):
    probe = Probe("input_grads", 0, 1, 2)

    def grads(runner):
        return trained(runner.run("hint_loss", *args, probe=probe).probe)

    expect_close(grads(candidate), grads(solution), name=name, mistakes=mistakes.on(grads))


@points(8)
def test_values_on_vectors(candidate, solution, mistakes, seed):
    compare(candidate, solution, mistakes, vectors(seed + 0), "hint loss ([6, 5] -> [6, 9])")


@points(8)
def test_values_on_a_larger_batch(candidate, solution, mistakes, seed):
    compare(
        candidate, solution, mistakes, vectors(seed + 1, n=40, ds=3, dt=2), "hint loss (batch 40)"
    )


@points(10)
def test_values_on_feature_maps(candidate, solution, mistakes, seed):
    compare(candidate, solution, mistakes, maps(seed + 2), "hint loss (1x1 conv)")
    compare(candidate, solution, mistakes, maps(seed + 3, kernel=3, hw=4), "hint loss (3x3 conv)")
    s, t, regressor = maps(seed + 18)
    args = (s.double(), t.double(), regressor.double())
    compare(candidate, solution, mistakes, args, "hint loss (1x1 conv, float64)")


@points(7)
def test_batch_of_one_and_float64(candidate, solution, mistakes, seed):
    compare(candidate, solution, mistakes, vectors(seed + 4, n=1), "hint loss (batch of one)")
    compare(
        candidate, solution, mistakes, vectors(seed + 5, dtype=torch.float64), "hint loss (float64)"
    )


@points(5)
def test_exact_regression_has_zero_loss(candidate, solution, mistakes, seed):
    for offset in (6, 7):
        s, _, regressor = vectors(seed + offset)
        with torch.no_grad():
            t = regressor(s)
        got = candidate.hint_loss(s, t, regressor)
        expect_close(got, torch.tensor(0.0), name="hint loss when regressor(s) == t")


@points(9)
def test_gradients_on_vectors(candidate, solution, mistakes, seed):
    check_grads(candidate, solution, mistakes, vectors(seed + 8), "gradients of the hint loss")


@points(9)
def test_gradients_on_feature_maps(candidate, solution, mistakes, seed):
    check_grads(candidate, solution, mistakes, maps(seed + 9), "gradients of the hint loss (conv)")


def check_teacher_grad(candidate, mistakes, args):
    got = candidate.run("hint_loss", *args, probe=Probe("input_grads", 0, 1, 2)).probe
    expect(
        "1" in got["unused"],
        "a gradient reached teacher_features: max |d loss / d teacher| = "
        f"{got['grads']['1'].abs().max().item():.3g}",
        hint=mistakes.hint("teacher_not_detached"),
    )


@points(8)
def test_no_gradient_reaches_the_teacher(candidate, mistakes, seed):
    check_teacher_grad(candidate, mistakes, vectors(seed + 10))


@points(8)
def test_no_gradient_reaches_the_teacher_on_feature_maps(candidate, mistakes, seed):
    check_teacher_grad(candidate, mistakes, maps(seed + 11))


def check_reaches(candidate, mistakes, args):
    got = candidate.run("hint_loss", *args, probe=Probe("input_grads", 0, 1, 2)).probe
    expect(
        "0" not in got["unused"],
        "no gradient reaches student_features",
        hint=mistakes.hint("student_detached"),
    )
    frozen = [k for k in got["unused"] if k.startswith("2.")]
    expect(
        not frozen,
        f"no gradient reaches the regressor's {', '.join(k[2:] for k in frozen)}",
        hint=mistakes.hint("regressor_frozen"),
    )


@points(6)
def test_gradient_reaches_the_student_and_the_regressor(candidate, mistakes, seed):
    check_reaches(candidate, mistakes, vectors(seed + 12))


@points(6)
def test_gradient_reaches_the_student_and_the_regressor_on_maps(candidate, mistakes, seed):
    check_reaches(candidate, mistakes, maps(seed + 13, kernel=3))


@points(4)
def test_inputs_and_regressor_are_not_modified(candidate, mistakes, seed):
    expect_inputs_unchanged(candidate, "hint_loss", *vectors(seed + 19), mistakes=mistakes)


@points(4)
def test_inputs_and_regressor_are_not_modified_on_maps(candidate, mistakes, seed):
    expect_inputs_unchanged(candidate, "hint_loss", *maps(seed + 20), mistakes=mistakes)


def check_raises(candidate, mistakes, s, t, regressor):
    """A regressor output of another shape than the teacher's, and batches that differ."""
    hint = mistakes.hint("no_validation")
    cases = [
        (lambda: candidate.hint_loss(s, t[..., :-1], regressor), "teacher features one wider"),
        (lambda: candidate.hint_loss(s[:-1], t, regressor), "a student batch one shorter"),
        (lambda: candidate.hint_loss(s, t[:2], regressor), "a teacher batch of 2"),
        (
            lambda: candidate.hint_loss(s, t[:, :1], regressor),
            "one teacher channel (it broadcasts)",
        ),
    ]
    for call, what in cases:
        expect_raises(ValueError, call, name=what, hint=hint)


@points(4)
def test_mismatched_shapes_raise_value_error(candidate, mistakes, seed):
    check_raises(candidate, mistakes, *vectors(seed + 14))


@points(4)
def test_mismatched_shapes_raise_on_feature_maps(candidate, mistakes, seed):
    check_raises(candidate, mistakes, *maps(seed + 15))
