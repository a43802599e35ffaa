"""Hidden tests: many models, unnormalised weights, BatchNorm buffers, dtypes, a single
model, every invalid input that must raise ValueError, and inputs left untouched.

Inputs come from the per-grade ``seed``; points follow the clause a test checks."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, expect_inputs_unchanged, expect_raises, points


def bn_state(seed: int, batches: int) -> dict[str, torch.Tensor]:
    """An MLP with BatchNorm whose running statistics saw ``batches`` training batches."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(16, 4) * (seed % 4 + 1))
    return dict(model.state_dict())


def floating(sd):
    return {k: v for k, v in sd.items() if v.is_floating_point()}


def same_as_solution(
    candidate, solution, mistakes, sds, weights=None, rtol=1e-4, name="average", whole=False
):
    """Compare with the solution: the floating tensors only, unless ``whole`` (so that a
    counter slip costs the tests about counters, not every test)."""
    args = (sds,) if weights is None else (sds, weights)
    got = candidate.average_state_dicts(*args)
    want = solution.average_state_dicts(*args)
    keys = set(want) if whole else set(floating(want))

    def part(d):
        return {k: v for k, v in d.items() if k in keys} if isinstance(d, dict) else d

    expect_close(
        part(got),
        part(want),
        rtol=rtol,
        name=name,
        mistakes=mistakes.on(lambda m: part(m.average_state_dicts(*args))),
    )
    return got


@points(14)
def test_four_models_uniform(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + s, 1) for s in range(4)]
    same_as_solution(candidate, solution, mistakes, sds)


@points(14)
def test_weights_are_normalised(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + s, 1) for s in range(10, 13)]
    same_as_solution(candidate, solution, mistakes, sds, [1.0, 2.0, 1.0])


@points(10)
def test_zero_weight_drops_a_model(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + s, 1) for s in range(20, 23)]
    got = same_as_solution(candidate, solution, mistakes, sds, [0.0, 5.0, 5.0])
    want = {k: (v + sds[2][k]) / 2 for k, v in sds[1].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in want}, want, name="average with weights [0, 5, 5]")


@points(8)
def test_batchnorm_counter_is_copied_and_stays_integer(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + 30, 3), bn_state(seed + 31, 5), bn_state(seed + 32, 8)]
    got = same_as_solution(candidate, solution, mistakes, sds, [1.0, 1.0, 2.0], whole=True)
    expect_equal(got["1.num_batches_tracked"], torch.tensor(3), name="1.num_batches_tracked")


@points(10)
def test_running_statistics_are_averaged(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + 40, 2), bn_state(seed + 41, 2)]
    got = same_as_solution(candidate, solution, mistakes, sds)
    for key in ("1.running_mean", "1.running_var"):
        expect_close(got[key], (sds[0][key] + sds[1][key]) / 2, name=key)


@points(8)
def test_each_tensor_keeps_its_dtype(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 5)
    sds = [
        {
            "w64": torch.randn(3, 3, dtype=torch.float64),
            "w16": torch.randn(4, dtype=torch.float16),
            "steps": torch.tensor(7 + i),
        }
        for i in range(3)
    ]
    same_as_solution(candidate, solution, mistakes, sds, [0.2, 0.3, 0.5], rtol=2e-3, whole=True)


@points(6)
def test_single_model_is_returned_unchanged(candidate, solution, mistakes, seed):
    sd = bn_state(seed + 50, 2)
    got = same_as_solution(candidate, solution, mistakes, [sd], whole=True)
    expect_close(got, sd, name="average of one state dict")


@points(8)
def test_invalid_lists_raise(candidate, mistakes, seed):
    a, b = bn_state(seed + 60, 1), bn_state(seed + 61, 1)
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


@points(8)
def test_invalid_weights_raise(candidate, mistakes, seed):
    a, b = bn_state(seed + 70, 1), bn_state(seed + 71, 1)
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


@points(7)
def test_inputs_are_not_modified(candidate, solution, mistakes, seed):
    sds = [bn_state(seed + 80 + i, 1 + i) for i in range(3)]
    expect_inputs_unchanged(
        candidate,
        "average_state_dicts",
        sds,
        [2.0, 1.0, 1.0],
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )


@points(7)
def test_inputs_unchanged_with_mixed_dtypes(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 90)
    sds = [
        {"w64": torch.randn(2, 3, dtype=torch.float64), "w": torch.randn(5), "n": torch.tensor(i)}
        for i in range(2)
    ]
    expect_inputs_unchanged(
        candidate,
        "average_state_dicts",
        sds,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )
