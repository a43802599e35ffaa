"""Compression: pruning counted and placed as torch.nn.utils.prune does, the int8 round-trip
bound, Eckart–Young for the low-rank layer, and the size accounting."""

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils import prune

from reference.compress import (
    dequantize,
    fake_quantize,
    int8_model_bytes,
    iterative_prune,
    low_rank_linear,
    magnitude_prune,
    model_size,
    quantize_per_channel,
)

torch.set_num_threads(1)


def make_net(seed: int) -> nn.Module:
    """A conv layer, two linear layers and a LayerNorm (whose weight must not be pruned)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3),
        nn.Flatten(),
        nn.Linear(3 * 4 * 4, 7),
        nn.LayerNorm(7),
        nn.Linear(7, 5),
    )


WEIGHTS = ["0.weight", "2.weight", "4.weight"]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sparsity=st.floats(0.0, 1.0),
    scope=st.sampled_from(["global", "layer"]),
)
def test_prunes_exactly_the_smallest_weights(seed, sparsity, scope):
    model = make_net(seed)
    before = copy.deepcopy(model.state_dict())
    masks = magnitude_prune(model, sparsity, scope)
    after = model.state_dict()
    assert sorted(masks) == WEIGHTS
    assert all(m.dtype == torch.bool for m in masks.values())
    groups = [WEIGHTS] if scope == "global" else [[k] for k in WEIGHTS]
    for group in groups:
        old = torch.cat([before[k].abs().flatten() for k in group])
        kept = torch.cat([masks[k].flatten() for k in group])
        assert int((~kept).sum()) == round(sparsity * old.numel())
        if (~kept).any() and kept.any():
            assert old[~kept].max() <= old[kept].min()
    for k, v in after.items():
        if k in masks:
            torch.testing.assert_close(v, before[k] * masks[k])
        else:  # biases, LayerNorm: untouched
            assert torch.equal(v, before[k])
    assert not any(k.endswith("_orig") or k.endswith("_mask") for k in after)
    assert not any(m._forward_pre_hooks for m in model.modules())


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.55, 0.9, 1.0])
def test_masks_equal_torch_prune(sparsity):
    ours, theirs = make_net(5), make_net(5)  # random normal weights: no ties
    global_masks = magnitude_prune(ours, sparsity, "global")
    params = [(theirs[i], "weight") for i in (0, 2, 4)]
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=sparsity)
    for i, k in zip((0, 2, 4), WEIGHTS, strict=True):
        assert torch.equal(global_masks[k], theirs[i].weight_mask.bool())

    ours, theirs = make_net(6), make_net(6)
    layer_masks = magnitude_prune(ours, sparsity, "layer")
    for i, k in zip((0, 2, 4), WEIGHTS, strict=True):
        prune.l1_unstructured(theirs[i], "weight", amount=sparsity)
        assert torch.equal(layer_masks[k], theirs[i].weight_mask.bool())


@pytest.mark.parametrize("sparsity", [-0.1, 1.5, float("nan")])
def test_bad_sparsity_raises(sparsity):
    with pytest.raises(ValueError):
        magnitude_prune(make_net(0), sparsity)


def test_unknown_scope_raises():
    with pytest.raises(ValueError):
        magnitude_prune(make_net(0), 0.5, scope="per-tensor")


def test_iterative_prune_keeps_pruned_weights_at_zero():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    x, y = torch.randn(64, 6), torch.randint(3, (64,))
    masks = iterative_prune(model, [0.5, 0.8], x, y, epochs=3)
    for name, p in model.named_parameters():
        if name in masks:
            assert torch.equal(p[~masks[name]], torch.zeros(int((~masks[name]).sum())))
    size = model_size(model)
    assert size.parameters - size.nonzeros >= round(0.8 * (6 * 16 + 16 * 3))


shapes = st.one_of(
    st.tuples(st.integers(1, 6), st.integers(1, 9)),
    st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000), magnitude=st.floats(1e-3, 1e3))
def test_quantization_round_trip_is_within_half_a_step(shape, seed, magnitude):
    g = torch.Generator().manual_seed(seed)
    w = magnitude * torch.randn(shape, generator=g)
    w[0] = 0.0  # an all-zero channel
    q, scale = quantize_per_channel(w)
    assert q.dtype == torch.int8 and q.shape == w.shape
    assert scale.dtype == torch.float32 and scale.shape == (shape[0],)
    assert int(q.min()) >= -127 and int(q.max()) <= 127
    assert float(scale[0]) == 1.0 and not torch.isnan(dequantize(q, scale)).any()
    back = dequantize(q, scale)
    assert back.dtype == torch.float32
    bound = scale.view((-1,) + (1,) * (w.dim() - 1)) / 2
    assert bool(((back - w).abs() <= bound * (1 + 1e-5) + 1e-30).all())
    peak = q.flatten(1).abs().amax(1).tolist()  # each non-zero channel's largest |w| -> 127
    assert peak == [127 if float(c.abs().max()) > 0 else 0 for c in w]


def test_quantization_rounds_rather_than_truncates():
    w = torch.tensor([[127.0, 0.6, -0.6, 2.5, 3.5]])  # scale 1: half-way cases round to even
    q, scale = quantize_per_channel(w)
    assert float(scale[0]) == 1.0
    assert q.tolist() == [[127, 1, -1, 2, 4]]


@settings(max_examples=30, deadline=None)
@given(
    out_f=st.integers(1, 9),
    in_f=st.integers(1, 9),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_low_rank_error_is_the_discarded_singular_values(out_f, in_f, seed, data):
    rank = data.draw(st.integers(1, min(in_f, out_f)))
    torch.manual_seed(seed)
    layer = nn.Linear(in_f, out_f).double()
    low = low_rank_linear(layer, rank)
    assert low[0].weight.shape == (rank, in_f) and low[0].bias is None
    assert low[1].weight.shape == (out_f, rank) and torch.equal(low[1].bias, layer.bias)
    product = (low[1].weight @ low[0].weight).detach()
    sigma = torch.linalg.svdvals(layer.weight.detach())
    expected = sigma[rank:].pow(2).sum().sqrt()
    err = torch.linalg.matrix_norm(product - layer.weight.detach())
    assert float(err) == pytest.approx(float(expected), abs=1e-9)
    x = torch.randn(4, in_f, dtype=torch.float64)
    torch.testing.assert_close(low(x), x @ product.T + layer.bias)


def test_low_rank_bias_free_and_bad_rank():
    layer = nn.Linear(5, 3, bias=False)
    assert low_rank_linear(layer, 2)[1].bias is None
    for rank in (0, 4):
        with pytest.raises(ValueError):
            low_rank_linear(layer, rank)


def test_size_accounting():
    model = nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))
    n = 100 * 50 + 50 + 50 * 10 + 10
    size = model_size(model, bits=32)
    assert (size.parameters, size.dense_bytes) == (n, 4 * n)
    magnitude_prune(model, 0.9)
    size = model_size(model, bits=8)
    assert size.nonzeros == n - round(0.9 * (100 * 50 + 50 * 10))
    assert size.dense_bytes == n and size.sparse_bytes == 5 * size.nonzeros
    int8 = int8_model_bytes(model)
    assert int8 == 100 * 50 + 50 * 10 + 4 * (50 + 10) + 4 * (50 + 10)
    assert 3.5 < 4 * n / int8 < 4.0


def test_fake_quantize_changes_weights_by_at_most_half_a_step():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 4))
    w = model[0].weight.detach().clone()
    fake_quantize(model)
    step = w.abs().amax(1, keepdim=True) / 127
    assert bool(((model[0].weight - w).abs() <= step / 2 + 1e-7).all())
