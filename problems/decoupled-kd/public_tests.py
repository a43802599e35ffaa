"""Public tests: worked examples by hand, one test per clause of the prompt (each weight on
its own term, per-example beta, two classes, float64, no gradient into the teacher, logits in
the hundreds, the inputs left alone, the ValueError cases) and the reduction to classical KD.
"""

import math

import torch
import torch.nn.functional as F

from judge.testing import Probe, expect, expect_close, expect_inputs_unchanged, expect_raises

STUDENT = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
TEACHER = torch.tensor([[3.0, -1.0, 1.0], [2.0, 2.0, 0.0]])
LABELS = torch.tensor([0, 1])
LN3 = math.log(3.0)


def check(candidate, mistakes, args, want, name):
    """The loss for ``args`` against ``want`` (a 0-dim tensor), with the matching hints."""
    expect_close(
        candidate.decoupled_kd_loss(*args),
        want,
        name=name,
        mistakes=mistakes.on(lambda m: m.decoupled_kd_loss(*args)),
    )


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
    t = torch.tensor([[0.0, 2 * LN3, 0.0]])
    y = torch.tensor([0])
    check(candidate, mistakes, (s, t, y, 1.0, 2.0, 2.0), torch.tensor(1.221265), "loss (T=2)")


def test_worked_example(candidate, solution, mistakes):
    # T = 1, alpha = 1, beta = 8: TCKD = 0.24110 and NCKD = 0.82872 (batch means), so
    # 1 * 0.24110 + 8 * 0.82872 = 6.87090 (as in the prompt).
    args = (STUDENT, TEACHER, LABELS, 1.0, 8.0, 1.0)
    check(candidate, mistakes, args, torch.tensor(6.87090), "loss (T=1, alpha=1, beta=8)")


def test_each_weight_selects_its_own_term(candidate, solution, mistakes):
    # The prompt's example at T = 1: alpha weighs TCKD only, beta NCKD only. With beta = 0
    # the loss is the batch mean of TCKD, 0.24110; with alpha = 0 and beta = 1 it is the
    # batch mean of NCKD, 0.82872 (a KL between softmaxes of the two non-target logits).
    for alpha, beta, want, what in ((1.0, 0.0, 0.24110, "TCKD"), (0.0, 1.0, 0.82872, "NCKD")):
        args = (STUDENT, TEACHER, LABELS, alpha, beta, 1.0)
        name = f"loss with alpha={alpha:g}, beta={beta:g} (the mean {what} alone)"
        check(candidate, mistakes, args, torch.tensor(want), name)


def test_per_example_beta(candidate, solution, mistakes):
    """Example. A [B] tensor beta weighs each example's NCKD before the batch mean. T = 1,
    alpha = 1, labels [0, 0], student logits [0, 0, 0] for both examples (q = [1/3, 1/3, 1/3]).
    Example 1, teacher [0, ln 3, 0]: p = [0.2, 0.6, 0.2], TCKD = 0.043692, NCKD = 0.130812 (as
    in the first example). Example 2, teacher [ln 2, 0, 0]: p = [0.5, 0.25, 0.25], so
    TCKD = 0.5 ln 1.5 + 0.5 ln 0.75 = 0.058892, and the non-target classes are equal for both
    (p̂ = q̂ = [0.5, 0.5]): NCKD = 0. With beta = [2, 8] the loss is
    ((0.043692 + 2 · 0.130812) + (0.058892 + 8 · 0)) / 2 = 0.182104. Applying the mean beta 5
    to the mean NCKD instead gives 0.051292 + 5 · 0.065406 = 0.378322.

    中文：形状为 [B] 的张量 beta 在 batch 平均之前给每个样本的 NCKD 加权。T = 1，alpha = 1，
    标签 [0, 0]，两个样本的学生 logits 都是 [0, 0, 0]（q = [1/3, 1/3, 1/3]）。样本 1，教师
    [0, ln 3, 0]：p = [0.2, 0.6, 0.2]，TCKD = 0.043692，NCKD = 0.130812（同第一个例子）。样本 2，
    教师 [ln 2, 0, 0]：p = [0.5, 0.25, 0.25]，所以 TCKD = 0.5 ln 1.5 + 0.5 ln 0.75 = 0.058892，
    两者的非目标类分布相同（p̂ = q̂ = [0.5, 0.5]）：NCKD = 0。beta = [2, 8] 时损失为
    ((0.043692 + 2 · 0.130812) + (0.058892 + 8 · 0)) / 2 = 0.182104。若把平均 beta 5 乘到平均
    NCKD 上，得到的却是 0.051292 + 5 · 0.065406 = 0.378322。"""
    s = torch.zeros(2, 3)
    t = torch.tensor([[0.0, LN3, 0.0], [math.log(2.0), 0.0, 0.0]])
    y = torch.tensor([0, 0])
    args = (s, t, y, 1.0, torch.tensor([2.0, 8.0]), 1.0)
    check(candidate, mistakes, args, torch.tensor(0.182104), "loss (beta = [2, 8])")


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
    check(
        candidate,
        mistakes,
        (s, t, y, 1.0, beta, T),
        kd,
        "DKD with alpha=1, beta=1-p_target (must equal T^2 KL)",
    )


def test_two_classes_have_no_non_target_term(candidate, solution, mistakes):
    # C = 2, label 0, T = 1: student [0, 0] gives q = [0.5, 0.5], teacher [ln 3, 0] gives
    # p = [0.75, 0.25]. TCKD = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.130812, the whole KL; with one
    # non-target class NCKD = 0, so beta (0 or 5) changes nothing.
    s, t, y = torch.zeros(1, 2), torch.tensor([[LN3, 0.0]]), torch.tensor([0])
    for beta in (0.0, 5.0):
        args = (s, t, y, 1.0, beta, 1.0)
        check(candidate, mistakes, args, torch.tensor(0.130812), f"loss (2 classes, beta={beta:g})")


def test_float64_in_float64_out(candidate, solution, mistakes):
    # The first example in float64: a 0-dim float64 tensor, 1.221265.
    s = torch.zeros(1, 3, dtype=torch.float64)
    t = torch.tensor([[0.0, 2 * LN3, 0.0]], dtype=torch.float64)
    args = (s, t, torch.tensor([0]), 1.0, 2.0, 2.0)
    want = torch.tensor(1.221265, dtype=torch.float64)
    check(candidate, mistakes, args, want, "loss (float64 logits)")


def test_no_gradient_reaches_the_teacher(candidate, solution, mistakes):
    # C = 2, T = 2, student [0, 0] (q = [0.5, 0.5]), teacher [2 ln 3, 0] (p = [0.75, 0.25]).
    # The loss is T² KL(p || q), so d loss / d student = T² · (q - p) / T = [-0.5, 0.5];
    # the teacher is a fixed target: no gradient may reach teacher_logits at all.
    s, t, y = torch.zeros(1, 2), torch.tensor([[2 * LN3, 0.0]]), torch.tensor([0])
    call = ("decoupled_kd_loss", s, t, y, 1.0, 1.0, 2.0)
    probe = Probe("arg_grads", 0, 1)
    outcome = candidate.run(*call, probe=probe)
    grads = outcome.probe["grads"]
    teacher = grads["1"]
    expect(
        "1" in outcome.probe["unused"] and bool((teacher == 0).all()),
        f"a gradient reached teacher_logits: d loss / d teacher = {teacher.tolist()}; "
        "the teacher is a fixed target (detach it)",
        hint=mistakes.hint("teacher_not_detached"),
    )
    expect_close(
        grads["0"],
        torch.tensor([[-0.5, 0.5]]),
        name="d loss / d student_logits",
        mistakes=mistakes.on(lambda m: m.run(*call, probe=probe).probe["grads"]["0"]),
    )


def test_logits_in_the_hundreds_stay_finite(candidate, solution, mistakes):
    # T = 1, label 0, teacher [0, 0, 0] (p = [1/3, 1/3, 1/3]); the student puts the target 300
    # below the others: [0, 300, 300], so q_target = 1 / (1 + 2e300) underflows to 0 and
    # log q_target = -300 - ln 2 must come from log_softmax / logsumexp, not log(softmax).
    # TCKD = 1/3 ln((1/3) / q_target) + 2/3 ln((2/3) / 1) = 100 + ln(2/3) = 99.594535;
    # the non-target classes are equal for both, so NCKD = 0.
    s, t, y = torch.tensor([[0.0, 300.0, 300.0]]), torch.zeros(1, 3), torch.tensor([0])
    args = (s, t, y, 1.0, 8.0, 1.0)
    got = candidate.decoupled_kd_loss(*args)
    expect(
        bool(torch.isfinite(got).all()),
        f"the loss is {got.tolist()} for logits of magnitude 300: it must be finite",
        hint=mistakes.hint("log_of_softmax"),
    )
    check(candidate, mistakes, args, torch.tensor(99.594535), "loss (logits ~300)")


def test_inputs_are_not_modified(candidate, mistakes):
    # T = 2: dividing the logits by T in place would leave the caller with halved logits.
    beta = torch.tensor([1.0, 3.0])
    expect_inputs_unchanged(
        candidate, "decoupled_kd_loss", STUDENT, TEACHER, LABELS, 1.0, beta, 2.0, mistakes=mistakes
    )


def test_invalid_inputs_raise(candidate, mistakes):
    """Logits that are not 2-D of one shape, one class, labels not [B] or out of 0..C-1, a
    beta tensor that is not [B], or T <= 0 raise ValueError."""
    hint = mistakes.hint("no_validation")
    s, t, y = STUDENT, TEACHER, LABELS  # [2, 3]
    one = torch.zeros(2, 1)
    cases = [
        ("teacher of shape [2, 2]", (s, t[:, :2], y, 1.0, 8.0, 1.0)),
        ("3-D logits [1, 2, 3]", (s[None], t[None], y, 1.0, 8.0, 1.0)),
        ("one class (C = 1)", (one, one.clone(), torch.zeros(2).long(), 1.0, 8.0, 1.0)),
        ("labels of shape [3]", (s, t, torch.tensor([0, 1, 2]), 1.0, 8.0, 1.0)),
        ("label 3 with C = 3", (s, t, torch.tensor([0, 3]), 1.0, 8.0, 1.0)),
        ("label -1", (s, t, torch.tensor([-1, 1]), 1.0, 8.0, 1.0)),
        ("beta of shape [3]", (s, t, y, 1.0, torch.ones(3), 1.0)),
        ("T = 0", (s, t, y, 1.0, 8.0, 0.0)),
        ("T = -1", (s, t, y, 1.0, 8.0, -1.0)),
    ]
    for what, args in cases:
        expect_raises(
            ValueError, lambda args=args: candidate.decoupled_kd_loss(*args), name=what, hint=hint
        )
