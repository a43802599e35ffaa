"""Hidden tests: elementwise weighting, zero Fishers (in one model, in all), eps, three
models, BatchNorm counters, dtypes, inconsistent inputs, and inputs left untouched.

Inputs come from the per-grade ``seed``; points follow the clause a test checks (the
weighting itself weighs most, the counter bookkeeping least)."""

import torch
from torch import nn

from judge.testing import (
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def bn_model(seed: int, batches: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(8, 4) + seed % 5)
    return dict(model.state_dict())


def fisher_for(
    sd: dict[str, torch.Tensor], seed: int, scale: float = 1.0
) -> dict[str, torch.Tensor]:
    """A positive diagonal 'Fisher' for every floating tensor, spread over orders of magnitude."""
    g = torch.Generator().manual_seed(seed)
    return {
        k: scale * torch.exp(3 * torch.randn(v.shape, generator=g))
        for k, v in sd.items()
        if v.is_floating_point()
    }


def merge(candidate, solution, mistakes, sds, fs, name="merged", whole=False, **kw):
    """Compare with the solution: the floating tensors only, unless ``whole`` (so that a
    counter slip costs the tests about counters, not every test)."""
    got = candidate.fisher_merge(sds, fs, **kw)
    want = solution.fisher_merge(sds, fs, **kw)
    keys = set(want) if whole else {k for k, v in want.items() if v.is_floating_point()}

    def part(d):
        return {k: v for k, v in d.items() if k in keys} if isinstance(d, dict) else d

    expect_close(
        part(got),
        part(want),
        name=name,
        mistakes=mistakes.on(lambda m: part(m.fisher_merge(sds, fs, **kw))),
    )
    return got


@points(14)
def test_elementwise_weighting(candidate, solution, mistakes, seed):
    sds = [bn_model(seed + 0, 1), bn_model(seed + 1, 2)]
    merge(candidate, solution, mistakes, sds, [fisher_for(sds[0], 10), fisher_for(sds[1], 11)])


@points(10)
def test_three_models(candidate, solution, mistakes, seed):
    sds = [bn_model(seed + s, 1) for s in (2, 3, 4)]
    fs = [fisher_for(sd, seed + 20 + i) for i, sd in enumerate(sds)]
    merge(candidate, solution, mistakes, sds, fs)


@points(10)
def test_zero_fisher_in_one_model_defers_to_the_other(candidate, solution, mistakes, seed):
    a, b = bn_model(seed + 5, 1), bn_model(seed + 6, 1)
    fa, fb = fisher_for(a, seed + 30), fisher_for(b, seed + 31)
    fa["0.weight"] = torch.zeros_like(fa["0.weight"])
    # b's Fisher at least 1e-2: eps (1e-8) then moves the result by under 1e-6 of a - b, so
    # "b's value" holds within the tolerance for every seed
    fb["0.weight"] = fb["0.weight"].clamp_min(1e-2)
    got = merge(candidate, solution, mistakes, [a, b], [fa, fb])
    expect_close(
        got["0.weight"], b["0.weight"], rtol=1e-4, atol=1e-5, name="0.weight (only b's Fisher)"
    )


@points(10)
def test_zero_fisher_everywhere_falls_back_to_the_average(candidate, solution, mistakes, seed):
    a, b = bn_model(seed + 7, 1), bn_model(seed + 8, 1)
    fa, fb = fisher_for(a, seed + 40), fisher_for(b, seed + 41)
    fa["3.weight"] = torch.zeros_like(fa["3.weight"])
    fb["3.weight"] = torch.zeros_like(fb["3.weight"])
    got = candidate.fisher_merge([a, b], [fa, fb])
    expect(
        bool(torch.isfinite(got["3.weight"]).all()),
        "entries where every Fisher is zero are not finite",
        hint=mistakes.hint("no_eps"),
    )
    merge(candidate, solution, mistakes, [a, b], [fa, fb])
    expect_close(
        got["3.weight"], (a["3.weight"] + b["3.weight"]) / 2, name="3.weight (plain average)"
    )


@points(8)
def test_all_fishers_zero(candidate, solution, mistakes, seed):
    sds = [bn_model(seed + s, 1) for s in (9, 10, 11)]
    zeros = [{k: torch.zeros_like(v) for k, v in sd.items() if v.is_floating_point()} for sd in sds]
    got = merge(candidate, solution, mistakes, sds, zeros, name="merged with zero Fishers")
    mean = {k: sum(sd[k] for sd in sds) / 3 for k, v in sds[0].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in mean}, mean, name="merged with zero Fishers vs plain average")


@points(10)
def test_missing_entries_count_as_zero(candidate, solution, mistakes, seed):
    """Fishers over parameters only, as from per-example gradients: BatchNorm's running
    statistics have none, so they fall back to the average; one model lacking an entry defers
    to the other."""
    a, b = bn_model(seed + 19, 2), bn_model(seed + 20, 2)
    fa, fb = fisher_for(a, seed + 80), fisher_for(b, seed + 81)
    for f in (fa, fb):
        del f["1.running_mean"], f["1.running_var"]
    del fa["3.bias"]
    got = merge(candidate, solution, mistakes, [a, b], [fa, fb], name="merged (missing entries)")
    for key in ("1.running_mean", "1.running_var"):
        expect_close(got[key], (a[key] + b[key]) / 2, name=f"{key} (no Fisher: plain average)")
    expect_close(got["3.bias"], b["3.bias"], name="3.bias (only b has a Fisher)")


@points(6)
def test_a_large_eps_pulls_towards_the_average(candidate, solution, mistakes, seed):
    a, b = bn_model(seed + 12, 1), bn_model(seed + 13, 1)
    fa, fb = fisher_for(a, seed + 50, scale=1e-3), fisher_for(b, seed + 51, scale=1e-3)
    merge(candidate, solution, mistakes, [a, b], [fa, fb], name="merged with eps=0.5", eps=0.5)


@points(6)
def test_counters_are_copied_from_the_first(candidate, solution, mistakes, seed):
    a, b = bn_model(seed + 14, 4), bn_model(seed + 15, 9)
    got = merge(
        candidate,
        solution,
        mistakes,
        [a, b],
        [fisher_for(a, seed + 60), fisher_for(b, seed + 61)],
        whole=True,
    )
    expect_equal(got["1.num_batches_tracked"], torch.tensor(4), name="1.num_batches_tracked")


@points(4)
def test_dtypes_are_kept(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 16)
    sds = [{"w": torch.randn(3, 3, dtype=torch.float64), "n": torch.tensor(i)} for i in range(2)]
    fs = [{"w": torch.rand(3, 3, dtype=torch.float64)} for _ in range(2)]
    merge(candidate, solution, mistakes, sds, fs, name="merged float64", whole=True)


@points(8)
def test_inconsistent_inputs_raise(candidate, mistakes, seed):
    a, b = bn_model(seed + 17, 1), bn_model(seed + 18, 1)
    fa, fb = fisher_for(a, seed + 70), fisher_for(b, seed + 71)
    hint = mistakes.hint("no_validation")
    cases = [
        (lambda: candidate.fisher_merge([a, b], [fa]), "one Fisher for two models"),
        (lambda: candidate.fisher_merge([], []), "no models"),
        (
            lambda: candidate.fisher_merge(
                [a, {k: v for k, v in b.items() if k != "3.bias"}], [fa, fb]
            ),
            "a missing key",
        ),
        (
            lambda: candidate.fisher_merge([a, {**b, "0.bias": torch.zeros(1)}], [fa, fb]),
            "a shape mismatch",
        ),
        (
            lambda: candidate.fisher_merge([a, b], [fa, {**fb, "0.weight": torch.ones(5)}]),
            "a Fisher entry of the wrong shape",
        ),
    ]
    for call, what in cases:
        expect_raises(ValueError, call, name=what, hint=hint)


def sparse_fisher(sd, seed):
    """A Fisher with exact zeros in it (where an eps added in place would show)."""
    f = fisher_for(sd, seed)
    return {k: torch.where(v > 1.0, v, torch.zeros_like(v)) for k, v in f.items()}


@points(6)
def test_inputs_are_not_modified(candidate, solution, mistakes, seed):
    sds = [bn_model(seed + 90 + i, 1 + i) for i in range(3)]
    fs = [sparse_fisher(sd, seed + 95 + i) for i, sd in enumerate(sds)]
    expect_inputs_unchanged(
        candidate,
        "fisher_merge",
        sds,
        fs,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )


@points(6)
def test_inputs_unchanged_with_a_large_eps(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 99)
    sds = [{"w": torch.randn(4, 3, dtype=torch.float64), "n": torch.tensor(i)} for i in range(2)]
    fs = [{"w": torch.rand(4, 3, dtype=torch.float64)} for _ in range(2)]
    expect_inputs_unchanged(
        candidate,
        "fisher_merge",
        sds,
        fs,
        eps=0.25,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )


@points(2)
def test_float16_models_with_zero_fishers(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 17)
    sds = [{"w": torch.randn(3, 4).half(), "n": torch.tensor(i)} for i in range(3)]
    fs = [{"w": torch.zeros(3, 4).half()} for _ in range(3)]
    fs[1]["w"][0] = 1.0
    got = merge(candidate, solution, mistakes, sds, fs, name="merged float16", whole=True)
    expect(bool(torch.isfinite(got["w"]).all()), "float16 entries with zero Fisher are not finite")
