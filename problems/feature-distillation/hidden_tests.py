"""Hidden tests for feature-distillation: values on vectors and on feature maps, float64,
gradients (to the student and the regressor, never the teacher) through the input_grads
probe, the inputs and the regressor left alone, and the ValueError cases, each twice."""

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, expect_raises


def vectors(seed, n=6, ds=5, dt=9, dtype=torch.float32):
    torch.manual_seed(seed)
    regressor = nn.Linear(ds, dt).to(dtype)
    return torch.randn(n, ds, dtype=dtype), torch.randn(n, dt, dtype=dtype), regressor


def maps(seed, n=3, cs=4, ct=6, hw=5, kernel=1):
    torch.manual_seed(seed)
    regressor = nn.Conv2d(cs, ct, kernel, padding=kernel // 2)
    return torch.randn(n, cs, hw, hw), torch.randn(n, ct, hw, hw), regressor


def compare(candidate, solution, mistakes, args, name):
    """Value against the solution; the features and the regressor unchanged after the call."""
    before = [
        args[0].clone(),
        args[1].clone(),
        {k: v.clone() for k, v in args[2].state_dict().items()},
    ]
    outcome = candidate.run("hint_loss", *args)
    expect_close(
        outcome.value,
        solution.hint_loss(*args),
        name=name,
        mistakes=mistakes.on(lambda m: m.hint_loss(*args)),
    )
    expect_close(
        list(outcome.args),
        before,
        rtol=0,
        atol=0,
        name="the features and the regressor after the call",
        mistakes=mistakes.on(lambda m: list(m.run("hint_loss", *args).args)),
    )


def check_grads(candidate, solution, mistakes, args, name):
    probe = Probe("input_grads", 0, 1, 2)
    got = candidate.run("hint_loss", *args, probe=probe).probe
    want = solution.run("hint_loss", *args, probe=probe).probe
    expect_close(
        got["grads"],
        want["grads"],
        name=name,
        mistakes=mistakes.on(lambda m: m.run("hint_loss", *args, probe=probe).probe["grads"]),
    )
    return got


def test_values_on_vectors(candidate, solution, mistakes):
    compare(candidate, solution, mistakes, vectors(0), "hint loss ([6, 5] -> [6, 9])")


def test_values_on_a_larger_batch(candidate, solution, mistakes):
    compare(candidate, solution, mistakes, vectors(1, n=40, ds=3, dt=2), "hint loss (batch 40)")


def test_values_on_feature_maps(candidate, solution, mistakes):
    compare(candidate, solution, mistakes, maps(2), "hint loss (1x1 conv)")
    compare(candidate, solution, mistakes, maps(3, kernel=3, hw=4), "hint loss (3x3 conv)")
    s, t, regressor = maps(18)
    args = (s.double(), t.double(), regressor.double())
    compare(candidate, solution, mistakes, args, "hint loss (1x1 conv, float64)")


def test_batch_of_one_and_float64(candidate, solution, mistakes):
    compare(candidate, solution, mistakes, vectors(4, n=1), "hint loss (batch of one)")
    compare(candidate, solution, mistakes, vectors(5, dtype=torch.float64), "hint loss (float64)")


def test_exact_regression_has_zero_loss(candidate, solution, mistakes):
    for seed in (6, 7):
        s, _, regressor = vectors(seed)
        with torch.no_grad():
            t = regressor(s)
        got = candidate.hint_loss(s, t, regressor)
        expect_close(got, torch.tensor(0.0), name="hint loss when regressor(s) == t")


def test_gradients_on_vectors(candidate, solution, mistakes):
    check_grads(candidate, solution, mistakes, vectors(8), "gradients of the hint loss")


def test_gradients_on_feature_maps(candidate, solution, mistakes):
    check_grads(candidate, solution, mistakes, maps(9), "gradients of the hint loss (conv)")


def test_no_gradient_reaches_the_teacher(candidate, solution, mistakes):
    for args in (vectors(10), maps(11)):
        got = candidate.run("hint_loss", *args, probe=Probe("input_grads", 0, 1, 2)).probe
        expect(
            "1" in got["unused"],
            "a gradient reached teacher_features: max |d loss / d teacher| = "
            f"{got['grads']['1'].abs().max().item():.3g}",
            hint=mistakes.hint("teacher_not_detached"),
        )


def test_gradient_reaches_the_student_and_the_regressor(candidate, solution, mistakes):
    for args in (vectors(12), maps(13)):
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


def test_shape_mismatch_raises_value_error(candidate, solution, mistakes):
    s, t, regressor = vectors(14)
    expect_raises(ValueError, lambda: candidate.hint_loss(s, t[:, :8], regressor))
    s, t, regressor = maps(15)
    expect_raises(ValueError, lambda: candidate.hint_loss(s, t[:, :, :4, :4], regressor))


def test_batch_mismatch_raises_value_error(candidate, solution, mistakes):
    s, t, regressor = vectors(16)
    expect_raises(ValueError, lambda: candidate.hint_loss(s[:5], t, regressor))
    s, t, regressor = maps(17)
    expect_raises(ValueError, lambda: candidate.hint_loss(s, t[:2], regressor))
