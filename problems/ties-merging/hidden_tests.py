"""Hidden tests: BatchNorm families (floating buffers merged, counters copied), exact counts
kept by the trim, ties in magnitude and in the sign election, the disjoint mean, dtypes,
ValueError cases, and inputs left untouched with no result aliasing an input."""

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, expect_equal, expect_raises


def bn_state(seed: int, batches: int, shift: float = 0.0) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)  # one shared "pretrained" initialisation
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(shift * torch.randn_like(p))
        for _ in range(batches):
            model(torch.randn(10, 6) + seed)
    return dict(model.state_dict())


def family(n: int = 3):
    """A pretrained state and n fine-tuned descendants (their counters differ too)."""
    return bn_state(0, 1), [bn_state(s, 1 + s, shift=0.1) for s in range(1, n + 1)]


def check(candidate, solution, mistakes, pre, fts, density, scale, name):
    got = candidate.ties_merge(pre, fts, density, scale)
    expect_close(
        got,
        solution.ties_merge(pre, fts, density, scale),
        name=name,
        mistakes=mistakes.on(lambda m: m.ties_merge(pre, fts, density, scale)),
    )
    return got


def test_three_batchnorm_models(candidate, solution, mistakes):
    pre, fts = family(3)
    got = check(candidate, solution, mistakes, pre, fts, 0.3, 0.8, "merged (density 0.3)")
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


def test_four_models_dense_trim_and_negative_scale(candidate, solution, mistakes):
    pre, fts = family(4)
    got = check(candidate, solution, mistakes, pre, fts, 0.7, -0.5, "merged (density 0.7)")
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


def test_one_model_density_one_is_task_arithmetic(candidate, solution, mistakes):
    pre, fts = family(1)
    got = check(candidate, solution, mistakes, pre, fts, 1.0, 0.6, "merged (one model)")
    want = {k: pre[k] + 0.6 * (fts[0][k] - pre[k]) for k, v in pre.items() if v.is_floating_point()}
    expect_close({k: got[k] for k in want}, want, name="pre + 0.6 * tau (floating tensors)")


def count_changed(got, pre):
    return {k: int((got[k] != pre[k]).sum()) for k in pre if pre[k].is_floating_point()}


def test_the_trim_keeps_exactly_round_density_times_numel(candidate, solution, mistakes):
    for seed, density, shape in ((1, 0.25, (8, 5)), (2, 0.6, (7, 3))):
        torch.manual_seed(seed)
        pre = {"w": torch.randn(shape), "b": torch.randn(shape[0])}
        ft = {k: v + torch.randn_like(v) for k, v in pre.items()}
        got = check(candidate, solution, mistakes, pre, [ft], density, 1.0, "merged (one model)")
        want = {k: round(density * v.numel()) for k, v in pre.items()}
        expect(
            count_changed(got, pre) == want,
            f"density {density}: entries changed per tensor {count_changed(got, pre)}, "
            f"want round(density * numel) = {want}",
        )


def test_equal_magnitudes_keep_the_lower_flat_index(candidate, solution, mistakes):
    pre = {"v": torch.zeros(6), "m": torch.zeros(3, 3)}
    ft = {
        "v": torch.tensor([1.0, -2.0, 2.0, 1.0, -2.0, 0.5]),  # k = 2: indices 1 and 2
        "m": torch.tensor([[1.0, -1.0, 3.0], [-1.0, 1.0, 1.0], [0.5, 1.0, -1.0]]),  # k = 3
    }
    got = check(candidate, solution, mistakes, pre, [ft], 0.34, 1.0, "merged (ties in |tau|)")
    expect_close(
        got,
        {"v": torch.tensor([0.0, -2.0, 2.0, 0.0, 0.0, 0.0]),
         "m": torch.tensor([[1.0, -1.0, 3.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])},
        name="ties in magnitude broken towards the lower flat index",
    )  # fmt: skip


def test_the_sign_is_elected_by_mass_not_by_count(candidate, solution, mistakes):
    pre = {"w": torch.ones(3)}
    fts = [
        {"w": torch.tensor([1.5, 2.0, 1.5])},  # tau = [ 0.5,  1.0,  0.5]
        {"w": torch.tensor([1.5, 0.0, 1.5])},  # tau = [ 0.5, -1.0,  0.5]
        {"w": torch.tensor([-2.0, 1.0, 0.0])},  # tau = [-3.0,  0.0, -1.0]
    ]
    # entry 0: mass -2 (two votes for +): -3; entry 1: mass 0: nothing; entry 2: mass 0.
    got = check(candidate, solution, mistakes, pre, fts, 1.0, 1.0, "merged (sign election)")
    expect_close(got, {"w": torch.tensor([-2.0, 1.0, 1.0])}, name="merged")


def test_the_mean_is_over_the_agreeing_models_only(candidate, solution, mistakes):
    pre = {"w": torch.zeros(2, 2)}
    fts = [
        {"w": torch.tensor([[4.0, -1.0], [2.0, 0.0]])},
        {"w": torch.tensor([[2.0, -3.0], [-1.0, 0.0]])},
        {"w": torch.tensor([[-1.0, -2.0], [6.0, 5.0]])},
    ]
    got = check(candidate, solution, mistakes, pre, fts, 1.0, 0.5, "merged (disjoint mean)")
    # means of the agreeing entries: 3, -2, 4, 5; halved by the scale
    expect_close(got, {"w": torch.tensor([[1.5, -1.0], [2.0, 2.5]])}, name="merged")


def test_dtypes_are_kept(candidate, solution, mistakes):
    torch.manual_seed(5)
    pre = {
        "w": torch.randn(4, 6, dtype=torch.float64),
        "b": torch.randn(6),
        "step": torch.tensor(7),
        "mask": torch.tensor([True, False]),
    }
    fts = [
        {**{k: v + torch.randn_like(v) for k, v in pre.items() if v.is_floating_point()},
         "step": torch.tensor(9 + i), "mask": torch.tensor([False, True])}
        for i in range(2)
    ]  # fmt: skip
    got = check(candidate, solution, mistakes, pre, fts, 0.5, 1.0, "merged (mixed dtypes)")
    expect_equal(got["step"], pre["step"], name="step (int64, copied)")
    expect_equal(got["mask"], pre["mask"], name="mask (bool, copied)")


def test_invalid_inputs_raise(candidate, mistakes):
    pre, fts = family(2)
    hint = mistakes.hint("no_validation")
    missing = {k: v for k, v in fts[0].items() if k != "3.bias"}
    cases = [
        ("an empty list", [], 0.5),
        ("a missing key", [fts[1], missing], 0.5),
        ("a shape mismatch", [{**fts[0], "0.bias": torch.zeros(3)}], 0.5),
        ("density 0", fts, 0.0),
        ("density 1.5", fts, 1.5),
        ("density -0.2", fts, -0.2),
    ]
    for what, models, density in cases:
        expect_raises(
            ValueError,
            lambda models=models, density=density: candidate.ties_merge(pre, models, density, 1.0),
            name=what,
            hint=hint,
        )


def check_safety(candidate, mistakes, args):
    outcome = candidate.run("ties_merge", *args, probe=Probe("input_safety"))
    expect(
        outcome.probe["changed"] == [],
        f"the call changed its inputs: {outcome.probe['changed']}",
        hint=mistakes.hint("mutates_finetuned"),
    )
    expect(
        outcome.probe["shared"] == [],
        f"returned tensors share memory with an input: {outcome.probe['shared']}",
        hint=mistakes.hint("aliased_counters"),
    )


def test_inputs_untouched_and_not_aliased(candidate, mistakes):
    pre, fts = family(3)
    check_safety(candidate, mistakes, (pre, fts, 0.4, 1.0))
    torch.manual_seed(6)
    pre = {"w": torch.randn(5, 5), "n": torch.tensor(3)}
    check_safety(
        candidate, mistakes, (pre, [{"w": torch.randn(5, 5), "n": torch.tensor(4)}], 1.0, 0.0)
    )
