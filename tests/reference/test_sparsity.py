"""N:M masks against a plain loop over groups (ties by index, partial groups as padded), and
the counts they promise; structured pruning is tested in test_structured.py."""

import copy
import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.sparsity import nm_mask, prune_neurons

torch.set_num_threads(1)


def loop_mask(w: torch.Tensor, n: int, m: int) -> torch.Tensor:
    rows = w.reshape(-1, w.shape[-1]).abs().tolist()
    keep = [[False] * len(r) for r in rows]
    for r, row in enumerate(rows):
        for start in range(0, len(row), m):
            group = range(start, min(start + m, len(row)))
            for j in sorted(group, key=lambda j: (-row[j], j))[:n]:
                keep[r][j] = True
    return torch.tensor(keep, dtype=torch.bool).reshape(w.shape)


nm = st.integers(1, 8).flatmap(lambda m: st.tuples(st.integers(1, m), st.just(m)))


@settings(max_examples=60, deadline=None)
@given(
    nm=nm,
    rows=st.integers(1, 5),
    cols=st.integers(1, 19),
    levels=st.sampled_from([3, 1000]),  # 3: many ties; 1000: few
    seed=st.integers(0, 10_000),
)
def test_matches_a_loop_over_groups(nm, rows, cols, levels, seed):
    n, m = nm
    g = torch.Generator().manual_seed(seed)
    w = torch.randint(-levels, levels + 1, (rows, cols), generator=g).float()
    before = w.clone()
    mask = nm_mask(w, n, m)
    assert mask.dtype == torch.bool and mask.shape == w.shape
    assert torch.equal(mask, loop_mask(w, n, m))
    assert torch.equal(w, before)
    full = cols - cols % m
    assert bool((mask[:, :full].reshape(rows, -1, m).sum(-1) == n).all())
    assert bool((mask[:, full:].sum(-1) == min(n, cols % m)).all())


def test_sign_does_not_matter_and_higher_dims_group_the_last_axis():
    w = torch.randn(3, 2, 8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(nm_mask(w), nm_mask(-w))
    assert torch.equal(nm_mask(w), nm_mask(w.reshape(6, 8)).reshape(3, 2, 8))


@pytest.mark.parametrize(("n", "m"), [(0, 4), (5, 4)])
def test_invalid_n_raises(n, m):
    with pytest.raises(ValueError):
        nm_mask(torch.ones(2, 8), n, m)


def random_mlp(seed: int, sizes: list[int], levels: int) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model[::2]:
            w = torch.randint(-levels, levels + 1, layer.weight.shape, generator=g)
            layer.weight.copy_(w / levels)  # levels = 1: many tied scores
    return model


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=5),
    amount=st.floats(0.0, 1.0),
    levels=st.sampled_from([1, 1000]),
    seed=st.integers(0, 10_000),
)
def test_prune_neurons_equals_the_original_with_units_zeroed(sizes, amount, levels, seed):
    model = random_mlp(seed, sizes, levels)
    before = copy.deepcopy(model.state_dict())
    small = prune_neurons(model, amount)
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    zeroed = copy.deepcopy(model)
    for i in range(0, len(model) - 1, 2):
        h = model[i].out_features
        k = min(round(amount * h), h - 1)
        assert small[i].weight.shape[0] == small[i].out_features == h - k
        scores = model[i].weight.detach().abs().sum(1).tolist()
        removed = sorted(range(h), key=lambda u: (scores[u], -u))[:k]
        with torch.no_grad():
            zeroed[i].weight[removed] = 0
            zeroed[i].bias[removed] = 0
    x = torch.randn(3, sizes[0])
    with torch.no_grad():
        torch.testing.assert_close(small(x), zeroed(x))
    last = len(model) - 1
    assert small[last].weight.shape[0] == sizes[-1]


def test_prune_neurons_shrinks_the_parameter_count():
    model = random_mlp(0, [64, 256, 256, 10], 1000)
    small = prune_neurons(model, 0.5)
    count = sum(p.numel() for p in small.parameters())
    assert count == 64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10


@pytest.mark.parametrize("amount", [-0.5, 1.01, float("nan")])
def test_prune_neurons_rejects_amounts_outside_the_unit_interval(amount):
    with pytest.raises(ValueError):
        prune_neurons(random_mlp(0, [3, 4, 2], 1), amount)


def test_prune_neurons_rejects_layers_it_cannot_slice():
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    with pytest.raises(ValueError):
        prune_neurons(model, 0.5)
