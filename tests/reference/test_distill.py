"""Knowledge distillation: the loss against a hand-written formula, its gradient, Hinton's
high-temperature limit, and the distill-student reference on the real digits split."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.data import accuracy, digits_split, few_labels_split, make_student, trained_teacher
from reference.distill import distill, distillation_loss, soft_target_loss, train_student

torch.set_num_threads(1)


def by_hand(s, t, y, T, alpha):
    """The definition written out: KL(p ‖ q) = Σ p (log p − log q), batch mean."""
    p = torch.softmax(t / T, dim=-1)
    q = torch.softmax(s / T, dim=-1)
    kl = (p * (p.log() - q.log())).sum(dim=-1).mean()
    ce = -torch.log_softmax(s, dim=-1)[torch.arange(len(y)), y].mean()
    return alpha * T * T * kl + (1 - alpha) * ce


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    batch=st.integers(1, 6),
    classes=st.integers(2, 7),
    T=st.floats(0.5, 10.0),
    alpha=st.floats(0.0, 1.0),
)
def test_loss_matches_the_definition(seed, batch, classes, T, alpha):
    g = torch.Generator().manual_seed(seed)
    s = 3 * torch.randn(batch, classes, generator=g, dtype=torch.float64)
    t = 3 * torch.randn(batch, classes, generator=g, dtype=torch.float64)
    y = torch.randint(classes, (batch,), generator=g)
    got = distillation_loss(s, t, y, T, alpha)
    assert got.shape == ()
    torch.testing.assert_close(got, by_hand(s, t, y, T, alpha))


def test_alpha_selects_the_terms():
    s, t = torch.randn(5, 4), torch.randn(5, 4)
    y = torch.tensor([0, 1, 2, 3, 0])
    torch.testing.assert_close(distillation_loss(s, t, y, 3.0, 0.0), F.cross_entropy(s, y))
    torch.testing.assert_close(distillation_loss(s, t, y, 3.0, 1.0), soft_target_loss(s, t, 3.0))
    assert float(soft_target_loss(t, t, 3.0)) == pytest.approx(0.0, abs=1e-6)


def test_gradcheck_wrt_student_and_no_gradient_to_teacher():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(4, 5, generator=g, dtype=torch.float64, requires_grad=True)
    t = torch.randn(4, 5, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 3, 1, 4])
    assert torch.autograd.gradcheck(lambda z: distillation_loss(z, t, y, 2.5, 0.7), (s,))
    distillation_loss(s, t, y, 2.5, 0.7).backward()
    assert t.grad is None
    assert s.grad is not None and s.grad.abs().sum() > 0


@pytest.mark.parametrize("zero_mean", [True, False])
def test_high_temperature_limit_is_logit_matching(zero_mean):
    """Hinton et al. §2.1: ∂/∂z_i of KL at temperature T is (q_i − p_i)/T; for T ≫ |logits|,
    q_i ≈ (1 + (z_i − z̄)/T)/N, so with the T² factor and the batch mean over B rows the
    gradient tends to ((z_i − z̄) − (v_i − v̄)) / (N·B): matching logits (zero-mean ones
    exactly) with a squared error, independent of T."""
    g = torch.Generator().manual_seed(1)
    B, N = 3, 6
    z = torch.randn(B, N, generator=g, dtype=torch.float64)
    v = torch.randn(B, N, generator=g, dtype=torch.float64)
    if zero_mean:
        z, v = z - z.mean(-1, keepdim=True), v - v.mean(-1, keepdim=True)
    else:
        z, v = z + 2.0, v - 1.0
    limit = ((z - z.mean(-1, keepdim=True)) - (v - v.mean(-1, keepdim=True))) / (N * B)
    errors = []
    for T in (10.0, 100.0, 1000.0):
        zz = z.clone().requires_grad_(True)
        distillation_loss(zz, v, torch.zeros(B, dtype=torch.long), T, 1.0).backward()
        errors.append(float((zz.grad - limit).abs().max() / limit.abs().max()))
    assert errors[-1] < 1e-2
    assert errors[0] > errors[1] > errors[2]  # the approximation error shrinks like 1/T


@pytest.fixture(scope="module")
def few_labels():
    split = digits_split()
    x_l, y_l, x_u, _ = few_labels_split(split.x_train, split.y_train, per_class=5, seed=0)
    return split, x_l, y_l, x_u


def test_train_student_is_deterministic_per_seed(few_labels):
    _, x_l, y_l, x_u = few_labels
    teacher = nn.Sequential(nn.Linear(64, 10))
    runs = [
        train_student(teacher, make_student(3), (x_l, y_l), x_u, 4.0, 0.9, steps=30, seed=3)
        for _ in range(2)
    ]
    for a, b in zip(runs[0].state_dict().values(), runs[1].state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.slow
def test_distill_beats_the_labelled_only_student(few_labels):
    split, x_l, y_l, x_u = few_labels
    teacher = trained_teacher(0)
    student = distill(teacher, x_l, y_l, x_u, seed=0, time_budget_s=60)
    shapes = [tuple(p.shape) for p in student.parameters()]
    assert isinstance(student, nn.Sequential) and len(student) == 3
    assert isinstance(student[1], nn.ReLU)
    assert shapes == [(32, 64), (32,), (10, 32), (10,)]
    baseline = make_student(0)
    opt = torch.optim.Adam(baseline.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        F.cross_entropy(baseline(x_l), y_l).backward()
        opt.step()
    distilled_acc = accuracy(student, split.x_test, split.y_test)
    assert distilled_acc > accuracy(baseline, split.x_test, split.y_test) + 0.05
    assert distilled_acc > 0.9
