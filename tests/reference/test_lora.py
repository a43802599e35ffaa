"""LoRA: starts at the base layer, equals an independent merged-weight F.linear, has the
closed-form gradients, trains only A and B, and merge/unmerge round-trip."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.lora import LoRALinear

torch.set_num_threads(1)

shapes = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 5), st.integers(0, 999))


def adapter(in_f: int, out_f: int, seed: int, r: int, alpha: float, trained: bool) -> LoRALinear:
    torch.manual_seed(seed)
    layer = LoRALinear(nn.Linear(in_f, out_f, dtype=torch.float64), r, alpha)
    if trained:
        with torch.no_grad():
            layer.B.normal_()
    return layer


@settings(max_examples=40, deadline=None)
@given(shapes=shapes, alpha=st.floats(0.1, 32.0), trained=st.booleans())
def test_equals_the_merged_weight_linear(shapes, alpha, trained):
    in_f, out_f, batch, seed = shapes
    r = 1 + seed % min(in_f, out_f)
    lora = adapter(in_f, out_f, seed, r, alpha, trained)
    x = torch.randn(batch, in_f, dtype=torch.float64)
    w = lora.base.weight + (alpha / r) * lora.B @ lora.A
    torch.testing.assert_close(lora(x), F.linear(x, w, lora.base.bias))
    if not trained:
        torch.testing.assert_close(lora(x), lora.base(x), rtol=0, atol=0)


@settings(max_examples=30, deadline=None)
@given(shapes=shapes, alpha=st.floats(0.1, 32.0))
def test_merge_unmerge_round_trip(shapes, alpha):
    in_f, out_f, batch, seed = shapes
    r = 1 + seed % min(in_f, out_f)
    lora = adapter(in_f, out_f, seed, r, alpha, trained=True)
    x = torch.randn(batch, in_f, dtype=torch.float64)
    w0, y0 = lora.base.weight.clone(), lora(x)
    lora.merge()
    lora.merge()
    torch.testing.assert_close(lora(x), y0)
    torch.testing.assert_close(lora.base.weight, w0 + (alpha / r) * lora.B @ lora.A)
    lora.unmerge()
    lora.unmerge()
    torch.testing.assert_close(lora.base.weight, w0)
    torch.testing.assert_close(lora(x), y0)


def test_only_a_and_b_train_with_the_closed_form_gradients():
    lora = adapter(6, 4, 0, 2, 3.0, trained=True)
    assert [n for n, p in lora.named_parameters() if p.requires_grad] == ["A", "B"]
    x, g = torch.randn(5, 6, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)
    (lora(x) * g).sum().backward()
    s = 3.0 / 2
    torch.testing.assert_close(lora.B.grad, s * g.T @ (x @ lora.A.T).detach())
    torch.testing.assert_close(lora.A.grad, s * (lora.B.T @ g.T @ x).detach())
    assert lora.base.weight.grad is None


def test_initialisation_is_a_linear_weight_and_zero():
    torch.manual_seed(5)
    lora = LoRALinear(nn.Linear(30, 20), 4, 8.0)
    torch.manual_seed(5)
    nn.Linear(30, 20)  # the same draws as the base layer above
    expected = nn.Linear(30, 4, bias=False).weight
    torch.testing.assert_close(lora.A.detach(), expected.detach())
    assert bool((lora.B == 0).all()) and lora.A.abs().max() <= 1 / math.sqrt(30)


@pytest.mark.parametrize("r", [0, 5])
def test_rank_outside_the_layer_raises(r):
    with pytest.raises(ValueError):
        LoRALinear(nn.Linear(4, 7), r, 1.0)
