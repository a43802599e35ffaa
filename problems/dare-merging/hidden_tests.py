"""Hidden tests: BatchNorm families and plain state dicts drawn from the per-grade ``seed``,
generators seeded from it, two tests for each clause: the merge itself, the order of the
draws, the generator used as it is (also one already advanced), the rescaling by 1 / (1 - p),
drop_rate 0, counters and other non-floating tensors copied, dtypes, ValueError cases, and
inputs left unchanged with no result aliasing them.

Points follow the clause: the method (masks from the generator in the contract's order,
rescaled survivors) weighs most; the value tests compare the floating tensors only, so that
a bookkeeping slip (a counter averaged) costs only the counter tests."""

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


def bn_state(init: int, seed: int, batches: int, shift: float = 0.0) -> dict[str, torch.Tensor]:
    torch.manual_seed(init)  # one shared "pretrained" initialisation per family
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(shift * torch.randn_like(p))
        for _ in range(batches):
            model(torch.randn(10, 6) + seed % 7)
    return dict(model.state_dict())


def family(seed: int, n: int = 3):
    """A pretrained state and n fine-tuned descendants (their counters differ too)."""
    pre = bn_state(seed, seed, 1)
    return pre, [bn_state(seed, seed + s, 1 + s, shift=0.1) for s in range(1, n + 1)]


def floating(sd):
    return {k: v for k, v in sd.items() if v.is_floating_point()}


def gen(seed: int, advance: int = 0) -> torch.Generator:
    g = torch.Generator().manual_seed(seed)
    if advance:
        torch.rand(advance, generator=g)
    return g


def check(candidate, solution, mistakes, pre, fts, p, scale, seed, name, advance=0):
    """The floating tensors against the solution's (counters are checked on their own)."""
    got = candidate.dare_merge(pre, fts, p, scale, gen(seed, advance))
    expect(isinstance(got, dict) and set(got) == set(pre), f"{name}: keys differ from pretrained's")
    expect_close(
        floating(got),
        floating(solution.dare_merge(pre, fts, p, scale, gen(seed, advance))),
        name=name,
        mistakes=mistakes.on(
            lambda m: floating(m.dare_merge(pre, fts, p, scale, gen(seed, advance)))
        ),
    )
    return got


# -- the method ---------------------------------------------------------------------------
@points(9)
def test_three_batchnorm_models(candidate, solution, mistakes, seed):
    pre, fts = family(seed, 3)
    check(candidate, solution, mistakes, pre, fts, 0.5, 0.5, seed, "merged (p 0.5)")


@points(9)
def test_two_models_high_drop_rate(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 1, 2)
    check(candidate, solution, mistakes, pre, fts, 0.9, 1.0, seed + 1, "merged (p 0.9)")


@points(9)
def test_independent_random_task_vectors(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 2)
    pre = {"w": torch.randn(9, 7, generator=g), "b": torch.randn(9, generator=g)}
    fts = [{k: v + torch.randn(v.shape, generator=g) for k, v in pre.items()} for _ in range(4)]
    check(candidate, solution, mistakes, pre, fts, 0.3, -0.6, seed + 2, "merged (4 models)")


# -- the generator ------------------------------------------------------------------------
@points(7)
def test_one_generator_state_gives_one_result(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 3, 2)
    first = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(seed))
    again = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(seed))
    expect(
        all(torch.equal(first[k], again[k]) for k in first),
        "two calls with generators in the same state gave different results",
        hint=mistakes.hint("global_rng"),
    )
    other = candidate.dare_merge(pre, fts, 0.6, 1.0, gen(seed + 1))
    expect(
        any(not torch.equal(first[k], other[k]) for k in floating(first)),
        "generators seeded differently gave the same result: the masks must come from it",
        hint=mistakes.hint("global_rng"),
    )
    check(candidate, solution, mistakes, pre, fts, 0.6, 1.0, seed, "merged")


@points(8)
def test_an_advanced_generator_continues_from_its_state(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 4, 2)
    check(
        candidate, solution, mistakes, pre, fts, 0.3, 1.0, seed + 4,
        "merged (a generator advanced by 10 draws)", advance=10,
    )  # fmt: skip


@points(7)
def test_a_generator_advanced_far(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 5)
    pre = {"w": torch.randn(6, 5, generator=g), "n": torch.tensor(2)}
    fts = [{"w": pre["w"] + torch.randn(6, 5, generator=g), "n": torch.tensor(3)}]
    advance = 100 + (seed % 900)
    check(
        candidate, solution, mistakes, pre, fts, 0.5, 1.0, seed + 5,
        f"merged (a generator advanced by {advance} draws)", advance=advance,
    )  # fmt: skip


# -- the rescaling ------------------------------------------------------------------------
def check_survivors(candidate, solution, mistakes, p, shape, seed):
    pre = {"w": torch.zeros(shape)}
    fts = [{"w": torch.ones(shape)}]
    got = check(candidate, solution, mistakes, pre, fts, p, 1.0, seed, f"merged (p {p})")["w"]
    survivor = 1.0 / (1.0 - p)
    expect(
        bool(((got == 0) | ((got - survivor).abs() < 1e-5)).all()),
        f"p {p}: entries are not all 0 or 1 / (1 - p) = {survivor:.4g}",
        hint=mistakes.hint("no_rescale"),
    )
    kept = float((got != 0).float().mean())
    expect(
        abs(kept - (1 - p)) < 0.05,  # more than 6 standard deviations for these sizes
        f"p {p}: {kept:.3f} of the entries survive, want about {1 - p:.2f}",
        hint=mistakes.hint("keep_with_probability_p"),
    )


@points(6)
def test_survivors_are_rescaled_by_one_over_one_minus_p(candidate, solution, mistakes, seed):
    check_survivors(candidate, solution, mistakes, 0.25, (50, 60), seed + 6)


@points(6)
def test_survivors_at_a_high_drop_rate(candidate, solution, mistakes, seed):
    check_survivors(candidate, solution, mistakes, 0.8, (60, 60), seed + 7)


# -- drop_rate 0 --------------------------------------------------------------------------
def check_task_arithmetic(candidate, solution, mistakes, seed, n, scale):
    pre, fts = family(seed, n)
    got = check(candidate, solution, mistakes, pre, fts, 0.0, scale, seed, "merged (p 0)")
    want = {k: pre[k] + scale * sum(ft[k] - pre[k] for ft in fts) for k in floating(pre)}
    expect_close(floating(got), want, name=f"task arithmetic of {n} models (p 0)")


@points(4)
def test_drop_rate_zero_is_task_arithmetic(candidate, solution, mistakes, seed):
    check_task_arithmetic(candidate, solution, mistakes, seed + 8, 1, 1.0)


@points(3)
def test_drop_rate_zero_with_three_models(candidate, solution, mistakes, seed):
    check_task_arithmetic(candidate, solution, mistakes, seed + 9, 3, -0.4)


# -- bookkeeping --------------------------------------------------------------------------
@points(2)
def test_counters_are_copied_from_pretrained(candidate, mistakes, seed):
    for n, p in ((3, 0.5), (2, 0.0)):
        pre, fts = family(seed + 10 + n, n)
        got = candidate.dare_merge(pre, fts, p, 1.0, gen(seed))
        expect_equal(
            got["1.num_batches_tracked"],
            pre["1.num_batches_tracked"],
            name="1.num_batches_tracked",
            mistakes=mistakes.on(
                lambda m, a=(pre, fts, p): m.dare_merge(*a, 1.0, gen(seed))["1.num_batches_tracked"]
            ),
        )


def mixed(seed: int, half: bool = False):
    g = torch.Generator().manual_seed(seed)
    pre = {
        "w": torch.randn(4, 6, generator=g, dtype=torch.float64),
        "step": torch.tensor(7),
        "b": torch.randn(6, generator=g),
        "mask": torch.tensor([True, False]),
    }
    if half:
        pre["h"] = torch.randn(5, generator=g).half()
    fts = [
        {**{k: v + torch.randn(v.shape, generator=g).to(v.dtype) for k, v in floating(pre).items()},
         "step": torch.tensor(9 + i), "mask": torch.tensor([False, True])}
        for i in range(2)
    ]  # fmt: skip
    return pre, fts


@points(2)
def test_integer_and_bool_tensors_are_copied_and_draw_nothing(candidate, solution, mistakes, seed):
    pre, fts = mixed(seed + 13)  # "step" sits between floating keys: no mask is drawn for it
    got = check(candidate, solution, mistakes, pre, fts, 0.4, 1.0, seed, "merged (mixed)")
    expect_equal(got["step"], pre["step"], name="step (int64, copied)")
    expect_equal(got["mask"], pre["mask"], name="mask (bool, copied)")


@points(4)
def test_dtypes_are_kept(candidate, solution, mistakes, seed):
    pre, fts = mixed(seed + 14)
    got = check(candidate, solution, mistakes, pre, fts, 0.5, 1.0, seed, "merged (float64)")
    expect(got["w"].dtype == torch.float64, f"'w' came back as {got['w'].dtype}, want float64")


@points(4)
def test_float16_is_kept(candidate, solution, mistakes, seed):
    pre, fts = mixed(seed + 15, half=True)
    got = check(candidate, solution, mistakes, pre, fts, 0.3, -0.7, seed, "merged (float16)")
    expect(got["h"].dtype == torch.float16, f"'h' came back as {got['h'].dtype}, want float16")


# -- invalid inputs -----------------------------------------------------------------------
@points(3)
def test_mismatched_models_raise(candidate, mistakes, seed):
    pre, fts = family(seed + 16, 2)
    hint = mistakes.hint("no_validation")
    missing = {k: v for k, v in fts[0].items() if k != "3.bias"}
    cases = [
        ("an empty list", []),
        ("a missing key", [fts[1], missing]),
        ("a shape mismatch", [{**fts[0], "0.bias": torch.zeros(3)}]),
    ]
    for what, models in cases:
        expect_raises(
            ValueError,
            lambda models=models: candidate.dare_merge(pre, models, 0.5, 1.0, gen(seed)),
            name=what,
            hint=hint,
        )


@points(3)
def test_drop_rate_outside_zero_one_raises(candidate, mistakes, seed):
    pre, fts = family(seed + 17, 2)
    hint = mistakes.hint("no_validation")
    for p in (1.0, 1.5, -0.1, -1e-9):
        expect_raises(
            ValueError,
            lambda p=p: candidate.dare_merge(pre, fts, p, 1.0, gen(seed)),
            name=f"drop_rate {p}",
            hint=hint,
        )


# -- inputs ----------------------------------------------------------------------------------
@points(7)
def test_inputs_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 18, 3)
    expect_inputs_unchanged(
        candidate, "dare_merge", pre, fts, 0.5, 1.0, gen(seed),
        mistakes=mistakes, new_tensors=True, reference=solution, fresh={4: gen(seed)},
    )  # fmt: skip


@points(7)
def test_plain_dicts_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 19)
    pre = {"w": torch.randn(5, 5, generator=g), "n": torch.tensor(3)}
    fts = [{"w": torch.randn(5, 5, generator=g), "n": torch.tensor(4)} for _ in range(2)]
    expect_inputs_unchanged(
        candidate, "dare_merge", pre, fts, 0.0, 0.5, gen(seed + 1),
        mistakes=mistakes, new_tensors=True, reference=solution, fresh={4: gen(seed + 1)},
    )  # fmt: skip
