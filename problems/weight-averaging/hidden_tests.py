"""Hidden tests: many models, unnormalised weights, BatchNorm buffers, dtypes, a single
model, and every invalid input that must raise ValueError."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, expect_raises


def bn_state(seed: int, batches: int) -> dict[str, torch.Tensor]:
    """An MLP with BatchNorm whose running statistics saw ``batches`` training batches."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(16, 4) * (seed + 1))
    return dict(model.state_dict())


def same_as_solution(candidate, solution, mistakes, sds, weights=None, rtol=1e-4, name="average"):
    args = (sds,) if weights is None else (sds, weights)
    got = candidate.average_state_dicts(*args)
    expect_close(
        got,
        solution.average_state_dicts(*args),
        rtol=rtol,
        name=name,
        mistakes=mistakes.on(lambda m: m.average_state_dicts(*args)),
    )
    return got


def test_four_models_uniform(candidate, solution, mistakes):
    sds = [bn_state(s, 1) for s in range(4)]
    same_as_solution(candidate, solution, mistakes, sds)


def test_weights_are_normalised(candidate, solution, mistakes):
    sds = [bn_state(s, 1) for s in range(10, 13)]
    same_as_solution(candidate, solution, mistakes, sds, [1.0, 2.0, 1.0])


def test_zero_weight_drops_a_model(candidate, solution, mistakes):
    sds = [bn_state(s, 1) for s in range(20, 23)]
    got = same_as_solution(candidate, solution, mistakes, sds, [0.0, 5.0, 5.0])
    want = {k: (v + sds[2][k]) / 2 for k, v in sds[1].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in want}, want, name="average with weights [0, 5, 5]")


def test_batchnorm_counter_is_copied_and_stays_integer(candidate, solution, mistakes):
    sds = [bn_state(30, 3), bn_state(31, 5), bn_state(32, 8)]
    got = same_as_solution(candidate, solution, mistakes, sds, [1.0, 1.0, 2.0])
    expect_equal(got["1.num_batches_tracked"], torch.tensor(3), name="1.num_batches_tracked")


def test_running_statistics_are_averaged(candidate, solution, mistakes):
    sds = [bn_state(40, 2), bn_state(41, 2)]
    got = same_as_solution(candidate, solution, mistakes, sds)
    for key in ("1.running_mean", "1.running_var"):
        expect_close(got[key], (sds[0][key] + sds[1][key]) / 2, name=key)


def test_each_tensor_keeps_its_dtype(candidate, solution, mistakes):
    torch.manual_seed(5)
    sds = [
        {
            "w64": torch.randn(3, 3, dtype=torch.float64),
            "w16": torch.randn(4, dtype=torch.float16),
            "steps": torch.tensor(7 + i),
        }
        for i in range(3)
    ]
    same_as_solution(candidate, solution, mistakes, sds, [0.2, 0.3, 0.5], rtol=2e-3)


def test_single_model_is_returned_unchanged(candidate, solution, mistakes):
    sd = bn_state(50, 2)
    got = same_as_solution(candidate, solution, mistakes, [sd])
    expect_close(got, sd, name="average of one state dict")


def test_invalid_lists_raise(candidate, mistakes):
    a, b = bn_state(60, 1), bn_state(61, 1)
    hint = mistakes.hint("no_validation")
    expect_raises(
        ValueError, lambda: candidate.average_state_dicts([]), name="empty list", hint=hint
    )
    fewer = {k: v for k, v in b.items() if k != "3.bias"}
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, fewer]),
        name="a missing key",
        hint=hint,
    )
    extra = {**b, "extra.weight": torch.zeros(2)}
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, extra]),
        name="an extra key",
        hint=hint,
    )
    wrong = {**b, "0.weight": torch.zeros(8, 5)}
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, wrong]),
        name="a shape mismatch",
        hint=hint,
    )
    broadcastable = {**b, "0.bias": torch.zeros(1)}
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, broadcastable]),
        name="a broadcastable shape mismatch",
        hint=hint,
    )


def test_invalid_weights_raise(candidate, mistakes):
    a, b = bn_state(70, 1), bn_state(71, 1)
    hint = mistakes.hint("no_validation")
    for weights, what in (
        ([1.0], "one weight for two state dicts"),
        ([1.0, 1.0, 1.0], "three weights for two state dicts"),
        ([1.0, -0.5], "a negative weight"),
        ([0.0, 0.0], "weights summing to zero"),
    ):
        expect_raises(
            ValueError,
            lambda weights=weights: candidate.average_state_dicts([a, b], weights),
            name=what,
            hint=hint,
        )
