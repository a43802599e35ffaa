"""Hidden tests: elementwise weighting, zero Fishers (in one model, in all), eps, three
models, BatchNorm counters, dtypes, and inconsistent inputs."""

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_equal, expect_raises


def bn_model(seed: int, batches: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(8, 4) + seed)
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


def merge(candidate, solution, mistakes, sds, fs, name="merged", **kw):
    got = candidate.fisher_merge(sds, fs, **kw)
    expect_close(
        got,
        solution.fisher_merge(sds, fs, **kw),
        name=name,
        mistakes=mistakes.on(lambda m: m.fisher_merge(sds, fs, **kw)),
    )
    return got


def test_elementwise_weighting(candidate, solution, mistakes):
    sds = [bn_model(0, 1), bn_model(1, 2)]
    merge(candidate, solution, mistakes, sds, [fisher_for(sds[0], 10), fisher_for(sds[1], 11)])


def test_three_models(candidate, solution, mistakes):
    sds = [bn_model(s, 1) for s in (2, 3, 4)]
    merge(candidate, solution, mistakes, sds, [fisher_for(sd, 20 + i) for i, sd in enumerate(sds)])


def test_zero_fisher_in_one_model_defers_to_the_other(candidate, solution, mistakes):
    a, b = bn_model(5, 1), bn_model(6, 1)
    fa, fb = fisher_for(a, 30), fisher_for(b, 31)
    fa["0.weight"] = torch.zeros_like(fa["0.weight"])
    got = merge(candidate, solution, mistakes, [a, b], [fa, fb])
    expect_close(
        got["0.weight"], b["0.weight"], rtol=1e-4, atol=1e-5, name="0.weight (only b's Fisher)"
    )


def test_zero_fisher_everywhere_falls_back_to_the_average(candidate, solution, mistakes):
    a, b = bn_model(7, 1), bn_model(8, 1)
    fa, fb = fisher_for(a, 40), fisher_for(b, 41)
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


def test_all_fishers_zero(candidate, solution, mistakes):
    sds = [bn_model(s, 1) for s in (9, 10, 11)]
    zeros = [{k: torch.zeros_like(v) for k, v in sd.items() if v.is_floating_point()} for sd in sds]
    got = merge(candidate, solution, mistakes, sds, zeros, name="merged with zero Fishers")
    mean = {k: sum(sd[k] for sd in sds) / 3 for k, v in sds[0].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in mean}, mean, name="merged with zero Fishers vs plain average")


def test_missing_entries_count_as_zero(candidate, solution, mistakes):
    """Fishers over parameters only, as from per-example gradients: BatchNorm's running
    statistics have none, so they fall back to the average; one model lacking an entry defers
    to the other."""
    a, b = bn_model(19, 2), bn_model(20, 2)
    fa, fb = fisher_for(a, 80), fisher_for(b, 81)
    for f in (fa, fb):
        del f["1.running_mean"], f["1.running_var"]
    del fa["3.bias"]
    got = merge(candidate, solution, mistakes, [a, b], [fa, fb], name="merged (missing entries)")
    for key in ("1.running_mean", "1.running_var"):
        expect_close(got[key], (a[key] + b[key]) / 2, name=f"{key} (no Fisher: plain average)")
    expect_close(got["3.bias"], b["3.bias"], name="3.bias (only b has a Fisher)")


def test_a_large_eps_pulls_towards_the_average(candidate, solution, mistakes):
    a, b = bn_model(12, 1), bn_model(13, 1)
    fa, fb = fisher_for(a, 50, scale=1e-3), fisher_for(b, 51, scale=1e-3)
    merge(candidate, solution, mistakes, [a, b], [fa, fb], name="merged with eps=0.5", eps=0.5)


def test_counters_are_copied_from_the_first(candidate, solution, mistakes):
    a, b = bn_model(14, 4), bn_model(15, 9)
    got = merge(candidate, solution, mistakes, [a, b], [fisher_for(a, 60), fisher_for(b, 61)])
    expect_equal(got["1.num_batches_tracked"], torch.tensor(4), name="1.num_batches_tracked")


def test_dtypes_are_kept(candidate, solution, mistakes):
    torch.manual_seed(16)
    sds = [{"w": torch.randn(3, 3, dtype=torch.float64), "n": torch.tensor(i)} for i in range(2)]
    fs = [{"w": torch.rand(3, 3, dtype=torch.float64)} for _ in range(2)]
    merge(candidate, solution, mistakes, sds, fs, name="merged float64")


def test_inconsistent_inputs_raise(candidate, mistakes):
    a, b = bn_model(17, 1), bn_model(18, 1)
    fa, fb = fisher_for(a, 70), fisher_for(b, 71)
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
