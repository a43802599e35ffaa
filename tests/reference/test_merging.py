"""TIES-merging, DARE and permutation alignment (reference/fuse.py): properties that pin the
methods down (special cases that reduce to task arithmetic, exact counts, invariances)."""

from __future__ import annotations

import copy
import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.fuse import align_mlp, apply_task_vectors, dare_merge, task_vector, ties_merge

torch.set_num_threads(1)


def net_state(seed: int) -> dict[str, torch.Tensor]:
    """A state dict with BatchNorm buffers, so num_batches_tracked (int64) is present."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Linear(5, 2))
    model(torch.randn(6, 3))
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_state_close(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        torch.testing.assert_close(a[k], b[k], rtol=1e-6, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(seeds=st.tuples(st.integers(0, 500), st.integers(0, 500)), scale=st.floats(-2, 2))
def test_ties_with_one_model_and_density_one_is_task_arithmetic(seeds, scale):
    pre, ft = net_state(seeds[0]), net_state(seeds[1])
    want = apply_task_vectors(pre, [task_vector(pre, ft)], scale)
    assert_state_close(ties_merge(pre, [ft], 1.0, scale), want)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 500), n=st.integers(2, 5), scale=st.floats(-2, 2))
def test_ties_of_identical_models_is_task_arithmetic_of_one(seed, n, scale):
    """n copies agree everywhere: the disjoint mean is the vector itself, not n times it."""
    pre, ft = net_state(seed), net_state(seed + 1)
    want = apply_task_vectors(pre, [task_vector(pre, ft)], scale)
    assert_state_close(ties_merge(pre, [ft] * n, 1.0, scale), want)


@settings(max_examples=25, deadline=None)
@given(seeds=st.lists(st.integers(0, 500), min_size=2, max_size=4), density=st.floats(0.05, 1))
def test_ties_keeps_at_most_the_trimmed_entries_and_never_flips_the_elected_sign(seeds, density):
    pre, fts = net_state(seeds[0]), [net_state(s + 1000) for s in seeds[1:]]
    merged = ties_merge(pre, fts, density, 1.0)
    for k, v in pre.items():
        if not v.is_floating_point():
            assert torch.equal(merged[k], v)
            continue
        tau = merged[k] - v
        kept = round(density * v.numel())
        assert int((tau != 0).sum()) <= len(fts) * kept
        # a merged entry is zero or a mean of some of the models' entries: within their range
        taus = torch.stack([ft[k] - v for ft in fts])
        inside = (tau <= taus.max(0).values + 1e-6) & (tau >= taus.min(0).values - 1e-6)
        assert bool((inside | (tau == 0)).all())


def test_ties_is_invariant_to_the_order_of_the_models():
    pre, fts = net_state(0), [net_state(s) for s in (1, 2, 3)]
    assert_state_close(ties_merge(pre, fts, 0.4, 0.7), ties_merge(pre, fts[::-1], 0.4, 0.7))


def test_ties_rejects_bad_arguments():
    pre, ft = net_state(0), net_state(1)
    for density in (0.0, -0.1, 1.01):
        with pytest.raises(ValueError):
            ties_merge(pre, [ft], density, 1.0)
    with pytest.raises(ValueError):
        ties_merge(pre, [], 0.5, 1.0)
    with pytest.raises(ValueError):
        ties_merge(pre, [{k: v for k, v in ft.items() if k != "2.bias"}], 0.5, 1.0)


@settings(max_examples=25, deadline=None)
@given(seeds=st.lists(st.integers(0, 500), min_size=2, max_size=4), scale=st.floats(-2, 2))
def test_dare_with_drop_rate_zero_is_task_arithmetic(seeds, scale):
    pre, fts = net_state(seeds[0]), [net_state(s + 1000) for s in seeds[1:]]
    want = apply_task_vectors(pre, [task_vector(pre, ft) for ft in fts], scale)
    got = dare_merge(pre, fts, 0.0, scale, torch.Generator().manual_seed(seeds[0]))
    assert_state_close(got, want)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), p=st.floats(0.05, 0.95))
def test_dare_is_a_function_of_the_generator_state(seed, p):
    pre, fts = net_state(0), [net_state(1), net_state(2)]
    g = torch.Generator().manual_seed(seed)
    first = dare_merge(pre, fts, p, 1.0, torch.Generator().manual_seed(seed))
    assert_state_close(dare_merge(pre, fts, p, 1.0, g), first)
    assert any(not torch.equal(a, b) for a, b in zip(
        dare_merge(pre, fts, p, 1.0, g).values(), first.values(), strict=True
    )), "the generator advanced, so a second call must draw new masks"  # fmt: skip


@pytest.mark.parametrize("p", [0.3, 0.9])
def test_dare_survivors_are_rescaled_and_unbiased(p):
    pre = {"w": torch.zeros(200, 100)}
    tau = torch.randn(200, 100, generator=torch.Generator().manual_seed(0))
    got = dare_merge(pre, [{"w": tau}], p, 1.0, torch.Generator().manual_seed(1))["w"]
    kept = got != 0
    torch.testing.assert_close(got[kept], tau[kept] / (1 - p))
    assert abs(float(kept.float().mean()) - (1 - p)) < 0.01
    # the mean over many draws approaches tau (E[mask] / (1 - p) = 1)
    g = torch.Generator().manual_seed(2)
    mean = sum(dare_merge(pre, [{"w": tau}], p, 1.0, g)["w"] for _ in range(200)) / 200
    assert float((mean - tau).abs().mean()) < 0.15 * float(tau.abs().mean()) * (p / (1 - p)) ** 0.5


def test_dare_rejects_bad_arguments():
    pre, ft = net_state(0), net_state(1)
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError):
            dare_merge(pre, [ft], p, 1.0, torch.Generator())
    with pytest.raises(ValueError):
        dare_merge(pre, [], 0.5, 1.0, torch.Generator())


ACTIVATIONS = [nn.ReLU, nn.Tanh, nn.GELU, nn.Sigmoid]


def random_mlp(widths: list[int], seed: int, act: type[nn.Module], bias: bool) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for n_in, n_out in itertools.pairwise(widths):
        layers += [nn.Linear(n_in, n_out, bias=bias), act()]
    return nn.Sequential(*layers[:-1]).double()


mlp_specs = st.tuples(
    st.lists(st.integers(1, 9), min_size=2, max_size=5),
    st.integers(0, 10_000),
    st.sampled_from(ACTIVATIONS),
    st.booleans(),
)


def loaded_like(model: nn.Sequential, state: dict) -> nn.Sequential:
    clone = copy.deepcopy(model)
    clone.load_state_dict(state)
    return clone


@settings(max_examples=30, deadline=None)
@given(spec=mlp_specs)
def test_the_aligned_model_computes_the_same_function(spec):
    widths, seed, act, bias = spec
    a, b = random_mlp(widths, seed, act, bias), random_mlp(widths, seed + 1, act, bias)
    x = torch.randn(6, widths[0], dtype=torch.float64)
    aligned = loaded_like(b, align_mlp(a, b))
    with torch.no_grad():
        torch.testing.assert_close(aligned(x), b(x), rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(spec=mlp_specs, perm_seed=st.integers(0, 10_000))
def test_a_shuffled_copy_is_recovered_exactly(spec, perm_seed):
    widths, seed, act, bias = spec
    a = random_mlp(widths, seed, act, bias)
    state = {k: v.clone() for k, v in a.state_dict().items()}
    linears = [n for n, m in a.named_children() if isinstance(m, nn.Linear)]
    g = torch.Generator().manual_seed(perm_seed)
    for here, after in itertools.pairwise(linears):
        perm = torch.randperm(state[f"{here}.weight"].shape[0], generator=g)
        for key in (f"{here}.weight", f"{here}.bias"):
            if key in state:
                state[key] = state[key][perm]
        state[f"{after}.weight"] = state[f"{after}.weight"][:, perm]
    got = align_mlp(a, loaded_like(a, state))
    for k, v in a.state_dict().items():
        assert torch.equal(got[k], v), k


@settings(max_examples=20, deadline=None)
@given(width=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_the_first_layer_assignment_is_the_best_of_all_permutations(width, seed):
    a = random_mlp([3, width, 2], seed, nn.ReLU, True)
    b = random_mlp([3, width, 2], seed + 1, nn.ReLU, True)

    def score(w: torch.Tensor, bias: torch.Tensor) -> float:
        with torch.no_grad():
            return float((a[0].weight * w).sum() + (a[0].bias * bias).sum())

    got = align_mlp(a, b)
    best = max(
        score(b[0].weight[list(p)], b[0].bias[list(p)])
        for p in itertools.permutations(range(width))
    )
    assert score(got["0.weight"], got["0.bias"]) == pytest.approx(best, rel=1e-12)


def test_align_mlp_leaves_the_models_alone_and_rejects_other_layers():
    a, b = random_mlp([4, 6, 3], 0, nn.ReLU, True), random_mlp([4, 6, 3], 1, nn.ReLU, True)
    before = [copy.deepcopy(m.state_dict()) for m in (a, b)]
    got = align_mlp(a, b)
    for model, state in zip((a, b), before, strict=True):
        for k, v in model.state_dict().items():
            assert torch.equal(v, state[k])
            assert got[k].untyped_storage().data_ptr() != v.untyped_storage().data_ptr()
    with pytest.raises(ValueError):
        align_mlp(a, random_mlp([4, 7, 3], 1, nn.ReLU, True))
    bn = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Linear(6, 3))
    with pytest.raises(ValueError):
        align_mlp(bn, copy.deepcopy(bn))
