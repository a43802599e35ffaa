"""Decoupled KD and FitNets' hint loss against their definitions written out by hand.

DKD at alpha = 1 and beta = 1 − p_target (per example) is classical KD exactly, which pins
both of its terms; the hint loss is ½‖t − r(s)‖² summed over features, batch mean.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.distill import decoupled_kd_loss, hint_loss, soft_target_loss

torch.set_num_threads(1)


def logits(seed: int, batch: int, classes: int, scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    s = scale * torch.randn(batch, classes, generator=g, dtype=torch.float64)
    t = scale * torch.randn(batch, classes, generator=g, dtype=torch.float64)
    return s, t, torch.randint(classes, (batch,), generator=g)


def dkd_by_hand(s, t, y, alpha, beta, T):
    """Probabilities, then the binary and the renormalised non-target KLs, one example at a time."""
    total = 0.0
    for b in range(len(y)):
        p, q = torch.softmax(t[b] / T, 0), torch.softmax(s[b] / T, 0)
        k = int(y[b])
        bp, bq = torch.stack([p[k], 1 - p[k]]), torch.stack([q[k], 1 - q[k]])
        rest = [j for j in range(len(p)) if j != k]
        hp, hq = p[rest] / (1 - p[k]), q[rest] / (1 - q[k])
        tckd = (bp * (bp / bq).log()).sum()
        nckd = (hp * (hp / hq).log()).sum()
        w = beta[b] if torch.is_tensor(beta) else beta
        total = total + T * T * (alpha * tckd + w * nckd)
    return total / len(y)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    batch=st.integers(1, 6),
    classes=st.integers(2, 7),
    T=st.floats(0.5, 8.0),
)
def test_dkd_at_the_coupled_weights_is_classical_kd(seed, batch, classes, T):
    s, t, y = logits(seed, batch, classes)
    beta = 1 - torch.softmax(t / T, 1)[torch.arange(batch), y]
    got = decoupled_kd_loss(s, t, y, 1.0, beta, T)
    assert got.shape == () and got.dtype == torch.float64
    torch.testing.assert_close(got, soft_target_loss(s, t, T), rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    batch=st.integers(1, 5),
    classes=st.integers(2, 6),
    alpha=st.floats(0.0, 3.0),
    beta=st.floats(0.0, 10.0),
    T=st.floats(0.5, 8.0),
    per_example=st.booleans(),
)
def test_dkd_matches_the_definition(seed, batch, classes, alpha, beta, T, per_example):
    s, t, y = logits(seed, batch, classes)
    b = beta * torch.rand(batch, dtype=torch.float64) if per_example else beta
    got = decoupled_kd_loss(s, t, y, alpha, b, T)
    # The by-hand form subtracts probabilities (1 − p): it loses ~1e-10 near p = 1.
    torch.testing.assert_close(got, dkd_by_hand(s, t, y, alpha, b, T), rtol=1e-7, atol=1e-8)


def test_dkd_is_finite_for_huge_logits_and_detaches_the_teacher() -> None:
    s, t, y = logits(0, 8, 5, scale=500.0)
    s, t = s.float().requires_grad_(), t.float().requires_grad_()
    loss = decoupled_kd_loss(s, t, y, 1.0, 8.0, 1.0)
    assert torch.isfinite(loss)
    loss.backward()
    assert t.grad is None and torch.isfinite(s.grad).all()


def test_dkd_rejects_bad_inputs() -> None:
    s, t, y = logits(1, 4, 3)
    for args in [
        (s, t[:, :2], y, 1.0, 1.0, 1.0),
        (s, t, y[:3], 1.0, 1.0, 1.0),
        (s, t, y + 3, 1.0, 1.0, 1.0),
        (s, t, y, 1.0, torch.ones(5), 1.0),
        (s, t, y, 1.0, 1.0, 0.0),
        (s[:, :1], t[:, :1], y * 0, 1.0, 1.0, 1.0),
    ]:
        with pytest.raises(ValueError):
            decoupled_kd_loss(*args)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 5), ds=st.integers(1, 6))
def test_hint_loss_matches_the_definition(seed, batch, ds):
    torch.manual_seed(seed)
    regressor = nn.Linear(ds, 2 * ds + 1).double()
    s = torch.randn(batch, ds, dtype=torch.float64, requires_grad=True)
    t = torch.randn(batch, 2 * ds + 1, dtype=torch.float64, requires_grad=True)
    got = hint_loss(s, t, regressor)
    by_hand = sum(0.5 * ((t[b] - regressor(s[b])) ** 2).sum() for b in range(batch)) / batch
    torch.testing.assert_close(got, by_hand)
    got.backward()
    assert t.grad is None and s.grad is not None and regressor.weight.grad is not None


def test_hint_loss_on_feature_maps_with_a_1x1_conv() -> None:
    torch.manual_seed(0)
    regressor = nn.Conv2d(3, 5, 1)
    s, t = torch.randn(4, 3, 6, 6), torch.randn(4, 5, 6, 6)
    want = 0.5 * (regressor(s) - t).pow(2).sum() / 4
    torch.testing.assert_close(hint_loss(s, t, regressor), want)
    with torch.no_grad():
        exact = regressor(s)
    assert hint_loss(s, exact, regressor).item() == 0.0
    with pytest.raises(ValueError):
        hint_loss(s, t[:, :4], regressor)
    with pytest.raises(ValueError):
        hint_loss(s[:3], t, regressor)
