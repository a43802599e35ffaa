"""Hidden tests for decoupled-kd: both terms and their weights, the reduction to KD, per-example
beta, two classes, large logits, float64, the inputs left alone, the gradient (reaching the
student, never the teacher) and the ValueError cases, each at least twice.
"""

import torch
import torch.nn.functional as F

from judge.testing import Probe, expect, expect_close, expect_raises


def batch(seed, n=8, c=5, scale=3.0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    s = scale * torch.randn(n, c, generator=g, dtype=dtype)
    t = scale * torch.randn(n, c, generator=g, dtype=dtype)
    return s, t, torch.randint(c, (n,), generator=g)


def compare(candidate, solution, mistakes, args, name):
    """Value against the solution, and the three tensor inputs unchanged after the call."""
    before = [a.clone() for a in args[:3]]
    outcome = candidate.run("decoupled_kd_loss", *args)
    want = solution.decoupled_kd_loss(*args)
    expect_close(
        outcome.value, want, name=name, mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(*args))
    )
    expect_close(
        list(outcome.args[:3]),
        before,
        rtol=0,
        atol=0,
        name="the logits and labels after the call",
        mistakes=mistakes.on(lambda m: list(m.run("decoupled_kd_loss", *args).args[:3])),
    )
    return outcome.value


def kd(s, t, T):
    return (
        T
        * T
        * F.kl_div(
            F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction="batchmean", log_target=True
        )
    )


def test_values_temperature_four(candidate, solution, mistakes):
    s, t, y = batch(1)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 4.0), "loss (T=4, alpha=1, beta=8)")


def test_values_many_classes(candidate, solution, mistakes):
    s, t, y = batch(2, n=16, c=100)
    compare(candidate, solution, mistakes, (s, t, y, 0.5, 2.0, 2.0), "loss (100 classes)")


def test_each_weight_selects_its_own_term(candidate, solution, mistakes):
    s, t, y = batch(3)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 0.0, 3.0), "TCKD alone (beta=0)")
    compare(candidate, solution, mistakes, (s, t, y, 0.0, 1.0, 3.0), "NCKD alone (alpha=0)")


def test_reduces_to_classical_kd(candidate, solution, mistakes):
    for seed, T in [(4, 1.0), (5, 3.0)]:
        s, t, y = batch(seed, n=7, c=6)
        beta = 1 - torch.softmax(t / T, 1)[torch.arange(7), y]
        got = candidate.decoupled_kd_loss(s, t, y, 1.0, beta, T)
        expect_close(
            got,
            kd(s, t, T),
            name=f"alpha=1, beta=1-p_target at T={T}: classical T^2 KL",
            mistakes=mistakes.on(
                lambda m, s=s, t=t, y=y, b=beta, T=T: m.decoupled_kd_loss(s, t, y, 1.0, b, T)
            ),
        )


def test_per_example_beta(candidate, solution, mistakes):
    s, t, y = batch(6, n=9)
    beta = torch.linspace(0.0, 4.0, 9)
    compare(candidate, solution, mistakes, (s, t, y, 2.0, beta, 2.0), "loss (beta per example)")


def test_two_classes_have_no_non_target_term(candidate, solution, mistakes):
    s, t, y = batch(7, n=6, c=2)
    got = compare(candidate, solution, mistakes, (s, t, y, 1.0, 5.0, 2.0), "loss (2 classes)")
    # With one non-target class NCKD is 0 and TCKD is the whole KD.
    expect_close(got, kd(s, t, 2.0), name="2 classes: DKD(alpha=1) equals KD")


def test_large_logits_stay_finite(candidate, solution, mistakes):
    for seed, scale, T in [(8, 150.0, 1.0), (9, 400.0, 2.0)]:
        s, t, y = batch(seed, scale=scale)
        args = (s, t, y, 1.0, 8.0, T)
        got = candidate.decoupled_kd_loss(*args)
        expect(
            bool(torch.isfinite(got).all()),
            f"the loss is {got.tolist()} for logits of magnitude ~{scale:g}: it must be finite",
            hint=mistakes.hint("log_of_softmax"),
        )
        compare(candidate, solution, mistakes, args, f"loss (logits ~{scale:g})")


def test_float64_stays_float64(candidate, solution, mistakes):
    s, t, y = batch(10, dtype=torch.float64)
    compare(candidate, solution, mistakes, (s, t, y, 1.0, 8.0, 4.0), "loss (float64)")
    s, t, y = batch(11, n=3, c=4, dtype=torch.float64)
    beta = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    compare(candidate, solution, mistakes, (s, t, y, 0.3, beta, 1.5), "loss (float64, beta [3])")


def test_no_gradient_reaches_the_teacher(candidate, solution, mistakes):
    for seed, T in [(12, 1.0), (13, 4.0)]:
        s, t, y = batch(seed)
        outcome = candidate.run(
            "decoupled_kd_loss", s, t, y, 1.0, 8.0, T, probe=Probe("arg_grads", 0, 1)
        )
        grad = outcome.probe["grads"]["1"]
        expect(
            "1" in outcome.probe["unused"] and bool((grad == 0).all()),
            f"a gradient reached teacher_logits at T={T}: max |d loss / d teacher| = "
            f"{grad.abs().max().item():.3g}",
            hint=mistakes.hint("teacher_not_detached"),
        )


def test_gradient_wrt_student(candidate, solution, mistakes):
    for seed, args in [(14, (1.0, 8.0, 4.0)), (15, (0.5, 2.0, 1.0))]:
        s, t, y = batch(seed)
        call = (s, t, y, *args)
        probe = Probe("arg_grads", 0, 1)
        got = candidate.run("decoupled_kd_loss", *call, probe=probe).probe["grads"]["0"]
        want = solution.run("decoupled_kd_loss", *call, probe=probe).probe["grads"]["0"]
        expect_close(
            got,
            want,
            name=f"d loss / d student_logits (alpha, beta, T = {args})",
            mistakes=mistakes.on(
                lambda m, c=call, p=probe: m.run("decoupled_kd_loss", *c, probe=p).probe["grads"][
                    "0"
                ]
            ),
        )


def test_bad_shapes_raise_value_error(candidate, solution, mistakes):
    s, t, y = batch(16)
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t[:, :4], y, 1.0, 8.0, 2.0))
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, y[:5], 1.0, 8.0, 2.0))
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, torch.ones(3), 2.0))
    one = torch.randn(8, 1)
    expect_raises(
        ValueError,
        lambda: candidate.decoupled_kd_loss(one, one.clone(), torch.zeros(8).long(), 1, 1, 1),
    )


def test_more_bad_shapes_raise_value_error(candidate, solution, mistakes):
    s, t, y = batch(18, n=4, c=3)
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s[None], t[None], y, 1, 1, 1))
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t[:3], y, 1.0, 8.0, 2.0))
    expect_raises(
        ValueError, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, torch.ones(4, 1), 2.0)
    )
    one = torch.randn(4, 1, dtype=torch.float64)
    expect_raises(
        ValueError, lambda: candidate.decoupled_kd_loss(one, one + 1, y * 0, 1.0, 8.0, 2.0)
    )


def test_bad_labels_or_temperature_raise_value_error(candidate, solution, mistakes):
    s, t, y = batch(17)
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, 8.0, 0.0))
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, y, 1.0, 8.0, -2.0))
    bad = y.clone()
    bad[3] = 5
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, bad, 1.0, 8.0, 2.0))
    bad[3] = -1
    expect_raises(ValueError, lambda: candidate.decoupled_kd_loss(s, t, bad, 1.0, 8.0, 2.0))
