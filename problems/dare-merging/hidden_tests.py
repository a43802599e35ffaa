"""Hidden tests: BatchNorm families, the exact order of the draws (per generator state, also
a generator already advanced), the rescaling, drop_rate 0, dtypes, ValueError cases, and
inputs left untouched with no result aliasing an input."""

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


def gen(seed: int, advance: int = 0) -> torch.Generator:
    g = torch.Generator().manual_seed(seed)
    if advance:
        torch.rand(advance, generator=g)
    return g


def check(candidate, solution, mistakes, pre, fts, p, scale, seed, name, advance=0):
    got = candidate.dare_merge(pre, fts, p, scale, gen(seed, advance))
    expect_close(
        got,
        solution.dare_merge(pre, fts, p, scale, gen(seed, advance)),
        name=name,
        mistakes=mistakes.on(lambda m: m.dare_merge(pre, fts, p, scale, gen(seed, advance))),
    )
    return got


def test_three_batchnorm_models(candidate, solution, mistakes):
    pre, fts = family(3)
    got = check(candidate, solution, mistakes, pre, fts, 0.5, 0.5, 1, "merged (p 0.5, seed 1)")
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


def test_two_models_high_drop_rate(candidate, solution, mistakes):
    pre, fts = family(2)
    got = check(candidate, solution, mistakes, pre, fts, 0.9, 1.0, 7, "merged (p 0.9, seed 7)")
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


def test_drop_rate_zero_is_task_arithmetic(candidate, solution, mistakes):
    for n, scale in ((1, 1.0), (3, -0.4)):
        pre, fts = family(n)
        got = check(candidate, solution, mistakes, pre, fts, 0.0, scale, 2, "merged (p 0)")
        want = {
            k: pre[k] + scale * sum(ft[k] - pre[k] for ft in fts)
            for k, v in pre.items()
            if v.is_floating_point()
        }
        expect_close({k: got[k] for k in want}, want, name=f"task arithmetic of {n} (p 0)")


def test_one_generator_state_gives_one_result(candidate, solution, mistakes):
    pre, fts = family(2)
    for seed in (3, 11):
        first = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(seed))
        again = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(seed))
        expect(
            all(torch.equal(first[k], again[k]) for k in first),
            f"two calls with generators in the same state (seed {seed}) gave different results",
            hint=mistakes.hint("global_rng"),
        )
        expect_close(
            first,
            solution.dare_merge(pre, fts, 0.6, 1.0, gen(seed)),
            name=f"merged (seed {seed})",
            mistakes=mistakes.on(lambda m, seed=seed: m.dare_merge(pre, fts, 0.6, 1.0, gen(seed))),
        )
    other = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(12))
    expect(
        any(not torch.equal(first[k], other[k]) for k in first),
        "generators seeded 11 and 12 gave the same result: the masks must come from the generator",
        hint=mistakes.hint("global_rng"),
    )


def test_an_advanced_generator_continues_from_its_state(candidate, solution, mistakes):
    pre, fts = family(2)
    for seed, advance in ((5, 10), (5, 1000)):
        check(
            candidate, solution, mistakes, pre, fts, 0.3, 1.0, seed,
            f"merged (seed {seed}, advanced by {advance} draws)", advance=advance,
        )  # fmt: skip


def test_survivors_are_rescaled_by_one_over_one_minus_p(candidate, solution, mistakes):
    for p, shape in ((0.25, (40, 50)), (0.8, (30, 30))):
        pre = {"w": torch.zeros(shape)}
        fts = [{"w": torch.ones(shape)}]
        got = check(candidate, solution, mistakes, pre, fts, p, 1.0, 4, f"merged (p {p})")["w"]
        survivor = 1.0 / (1.0 - p)
        expect(
            bool(((got == 0) | ((got - survivor).abs() < 1e-5)).all()),
            f"p {p}: entries are not all 0 or 1 / (1 - p) = {survivor:.4g}",
            hint=mistakes.hint("no_rescale"),
        )
        kept = float((got != 0).float().mean())
        expect(
            abs(kept - (1 - p)) < 0.05,
            f"p {p}: {kept:.3f} of the entries survive, want about {1 - p:.2f}",
            hint=mistakes.hint("keep_with_probability_p"),
        )


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
    got = check(candidate, solution, mistakes, pre, fts, 0.4, 1.0, 8, "merged (mixed dtypes)")
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
        ("drop_rate 1", fts, 1.0),
        ("drop_rate 1.5", fts, 1.5),
        ("drop_rate -0.1", fts, -0.1),
    ]
    for what, models, p in cases:
        expect_raises(
            ValueError,
            lambda models=models, p=p: candidate.dare_merge(pre, models, p, 1.0, gen(0)),
            name=what,
            hint=hint,
        )


def check_safety(candidate, mistakes, args):
    outcome = candidate.run("dare_merge", *args, probe=Probe("input_safety"))
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
    check_safety(candidate, mistakes, (pre, fts, 0.5, 1.0, gen(9)))
    torch.manual_seed(6)
    pre = {"w": torch.randn(5, 5), "n": torch.tensor(3)}
    fts = [{"w": torch.randn(5, 5), "n": torch.tensor(4)}]
    check_safety(candidate, mistakes, (pre, fts, 0.0, 0.0, gen(10)))
