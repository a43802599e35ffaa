"""Hidden tests: BatchNorm families and plain state dicts drawn from the per-grade ``seed``,
two tests for each clause: the merge itself, the exact trim count, ties in magnitude, the
sign elected by mass, the disjoint mean, counters and other non-floating tensors copied,
dtypes, ValueError cases, and inputs left unchanged with no result aliasing them.

Points follow the clause: the method (trim, elect, disjoint mean) weighs most; the value
tests compare the floating tensors only, so that a bookkeeping slip (a counter averaged)
costs only the counter tests. Designed scenarios keep their structure for every seed
(entries shuffled and rescaled by positive factors, which keeps every sign and every order
of magnitudes)."""

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


def check(candidate, solution, mistakes, pre, fts, density, scale, name):
    """The floating tensors against the solution's (counters are checked on their own)."""
    got = candidate.ties_merge(pre, fts, density, scale)
    expect(isinstance(got, dict) and set(got) == set(pre), f"{name}: keys differ from pretrained's")
    expect_close(
        floating(got),
        floating(solution.ties_merge(pre, fts, density, scale)),
        name=name,
        mistakes=mistakes.on(lambda m: floating(m.ties_merge(pre, fts, density, scale))),
    )
    return got


def shuffled(seed: int, columns: list[list[float]]):
    """Designed entries (one column per entry, one row per model) in a seeded order, each
    entry scaled by its own positive factor: signs, sums' signs and |tau| order per entry
    are kept."""
    g = torch.Generator().manual_seed(seed)
    taus = torch.tensor(columns).T  # [models, entries]
    order = torch.randperm(taus.shape[1], generator=g)
    factor = 0.5 + torch.rand(taus.shape[1], generator=g)
    return (taus * factor)[:, order]


# -- the method ---------------------------------------------------------------------------
@points(10)
def test_three_batchnorm_models(candidate, solution, mistakes, seed):
    pre, fts = family(seed, 3)
    check(candidate, solution, mistakes, pre, fts, 0.3, 0.8, "merged (density 0.3)")


@points(9)
def test_four_models_dense_trim_and_negative_scale(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 1, 4)
    check(candidate, solution, mistakes, pre, fts, 0.7, -0.5, "merged (density 0.7)")


@points(9)
def test_independent_random_task_vectors(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 2)
    pre = {"w": torch.randn(9, 7, generator=g), "b": torch.randn(9, generator=g)}
    fts = [{k: v + torch.randn(v.shape, generator=g) for k, v in pre.items()} for _ in range(5)]
    got = check(candidate, solution, mistakes, pre, fts, 0.4, 1.0, "merged (5 models)")
    one = check(candidate, solution, mistakes, pre, fts[:1], 1.0, 0.6, "merged (one model)")
    want = {k: pre[k] + 0.6 * (fts[0][k] - pre[k]) for k in pre}  # density 1: task arithmetic
    expect_close(one, want, name="one model at density 1 (pre + 0.6 * tau)")
    expect(got["w"].shape == (9, 7), "the merged 'w' lost its shape")


# -- the trim -----------------------------------------------------------------------------
def count_changed(got, pre):
    return {k: int((got[k] != pre[k]).sum()) for k in pre if pre[k].is_floating_point()}


def check_count(candidate, solution, mistakes, seed, density, shape):
    g = torch.Generator().manual_seed(seed)
    pre = {"w": torch.randn(shape, generator=g), "b": torch.randn(shape[0], generator=g)}
    ft = {k: v + torch.randn(v.shape, generator=g) for k, v in pre.items()}
    got = check(candidate, solution, mistakes, pre, [ft], density, 1.0, "merged (one model)")
    want = {k: round(density * v.numel()) for k, v in pre.items()}
    expect(
        count_changed(got, pre) == want,
        f"density {density}: entries changed per tensor {count_changed(got, pre)}, "
        f"want round(density * numel) = {want}",
        hint=mistakes.hint("no_trim"),
    )


@points(6)
def test_the_trim_keeps_exactly_round_density_times_numel(candidate, solution, mistakes, seed):
    check_count(candidate, solution, mistakes, seed + 3, 0.25, (8, 5))


@points(6)
def test_the_trim_count_on_other_shapes(candidate, solution, mistakes, seed):
    check_count(candidate, solution, mistakes, seed + 4, 0.6, (7, 3))
    check_count(candidate, solution, mistakes, seed + 5, 0.15, (4, 3, 5))


@points(3)
def test_equal_magnitudes_keep_the_lower_flat_index(candidate, solution, mistakes, seed):
    c = 1.0 + (seed % 97) / 97  # one positive factor: ties stay ties
    pre = {"v": torch.zeros(6), "m": torch.zeros(3, 3)}
    ft = {
        "v": c * torch.tensor([1.0, -2.0, 2.0, 1.0, -2.0, 0.5]),  # k = 2: indices 1 and 2
        "m": c * torch.tensor([[1.0, -1.0, 3.0], [-1.0, 1.0, 1.0], [0.5, 1.0, -1.0]]),  # k = 3
    }
    got = check(candidate, solution, mistakes, pre, [ft], 0.34, 1.0, "merged (ties in |tau|)")
    expect_close(
        got,
        {"v": c * torch.tensor([0.0, -2.0, 2.0, 0.0, 0.0, 0.0]),
         "m": c * torch.tensor([[1.0, -1.0, 3.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])},
        name="ties in magnitude broken towards the lower flat index",
    )  # fmt: skip


@points(3)
def test_random_ties_in_magnitude(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 6)
    pre = {"w": torch.randn(6, 6, generator=g)}
    levels = torch.randint(1, 4, (2, 6, 6), generator=g).float()  # magnitudes 1..3: many ties
    signs = torch.randint(0, 2, (2, 6, 6), generator=g).float() * 2 - 1
    fts = [{"w": pre["w"] + 0.25 * levels[i] * signs[i]} for i in range(2)]
    check(candidate, solution, mistakes, pre, fts, 0.5, 1.0, "merged (many equal |tau|)")


# -- the sign election --------------------------------------------------------------------
@points(6)
def test_the_sign_is_elected_by_mass_not_by_count(candidate, solution, mistakes, seed):
    taus = shuffled(seed + 7, [[0.5, 0.5, -3.0], [1.0, -1.0, 0.0], [0.5, 0.5, -1.0]])
    pre = {"w": torch.zeros(3)}  # zeros: the masses below are exactly 0 where they should be
    fts = [{"w": t} for t in taus]
    # mass -2 (two votes for +): -3; mass 0: nothing; mass 0: nothing
    check(candidate, solution, mistakes, pre, fts, 1.0, 1.0, "merged (sign election)")


@points(6)
def test_one_large_entry_outvotes_many_small(candidate, solution, mistakes, seed):
    columns = [[0.2, 0.3, 0.1, -2.0], [-0.2, -0.3, -0.1, 2.0], [1.0, 1.0, 1.0, -4.0]]
    taus = shuffled(seed + 8, columns)
    pre = {"w": torch.zeros(3)}
    fts = [{"w": t} for t in taus]
    got = check(candidate, solution, mistakes, pre, fts, 1.0, 1.0, "merged (one against three)")
    expect(
        int((got["w"] < 0).sum()) == 2 and int((got["w"] > 0).sum()) == 1,
        f"merged {got['w']}: one model outweighs three on each entry, so the elected signs "
        "are (-, +, -) in some order",
        hint=mistakes.hint("majority_vote"),
    )


# -- the disjoint mean --------------------------------------------------------------------
@points(6)
def test_the_mean_is_over_the_agreeing_models_only(candidate, solution, mistakes, seed):
    columns = [[4.0, 2.0, -1.0], [-1.0, -3.0, -2.0], [2.0, -1.0, 6.0], [0.0, 0.0, 5.0]]
    taus = shuffled(seed + 9, columns)
    pre = {"w": torch.zeros(4)}
    fts = [{"w": t} for t in taus]
    check(candidate, solution, mistakes, pre, fts, 1.0, 0.5, "merged (disjoint mean)")


@points(6)
def test_an_entry_kept_by_one_model_keeps_its_size(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 10)
    pre = {"w": torch.randn(12, generator=g)}
    spikes = torch.randperm(12, generator=g)[:3]
    fts = []
    for i in range(3):  # each model moves one entry a lot, the rest a little
        tau = 0.01 * torch.randn(12, generator=g)
        tau[spikes[i]] = 2.0 + float(torch.rand(1, generator=g))
        fts.append({"w": pre["w"] + tau})
    got = check(candidate, solution, mistakes, pre, fts, 1 / 12, 1.0, "merged (one spike each)")
    for i in range(3):
        k = int(spikes[i])
        expect_close(
            got["w"][k] - pre["w"][k],
            fts[i]["w"][k] - pre["w"][k],
            name=f"the change at entry {k}, kept by one model only",
            mistakes=mistakes.on(
                lambda m, k=k: m.ties_merge(pre, fts, 1 / 12, 1.0)["w"][k] - pre["w"][k]
            ),
        )


# -- bookkeeping --------------------------------------------------------------------------
@points(2)
def test_counters_are_copied_from_pretrained(candidate, mistakes, seed):
    for n, density in ((3, 0.3), (2, 1.0)):
        pre, fts = family(seed + 11 + n, n)
        got = candidate.ties_merge(pre, fts, density, 1.0)
        expect_equal(
            got["1.num_batches_tracked"],
            pre["1.num_batches_tracked"],
            name="1.num_batches_tracked",
            mistakes=mistakes.on(
                lambda m, a=(pre, fts, density): m.ties_merge(*a, 1.0)["1.num_batches_tracked"]
            ),
        )


def mixed(seed: int, half: bool = False):
    g = torch.Generator().manual_seed(seed)
    pre = {
        "w": torch.randn(4, 6, generator=g, dtype=torch.float64),
        "b": torch.randn(6, generator=g),
        "step": torch.tensor(7),
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
def test_integer_and_bool_tensors_are_copied(candidate, mistakes, seed):
    pre, fts = mixed(seed + 12)
    got = candidate.ties_merge(pre, fts, 0.5, 1.0)
    expect_equal(got["step"], pre["step"], name="step (int64, copied)")
    expect_equal(got["mask"], pre["mask"], name="mask (bool, copied)")


@points(3)
def test_dtypes_are_kept(candidate, solution, mistakes, seed):
    pre, fts = mixed(seed + 13)
    check(candidate, solution, mistakes, pre, fts, 0.5, 1.0, "merged (float64 and float32)")


@points(3)
def test_float16_is_kept(candidate, solution, mistakes, seed):
    pre, fts = mixed(seed + 14, half=True)
    got = check(candidate, solution, mistakes, pre, fts, 0.4, -0.7, "merged (with float16)")
    expect(got["h"].dtype == torch.float16, f"'h' came back as {got['h'].dtype}, want float16")


# -- invalid inputs -----------------------------------------------------------------------
@points(3)
def test_mismatched_models_raise(candidate, mistakes, seed):
    pre, fts = family(seed + 15, 2)
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
            lambda models=models: candidate.ties_merge(pre, models, 0.5, 1.0),
            name=what,
            hint=hint,
        )


@points(3)
def test_density_outside_zero_one_raises(candidate, mistakes, seed):
    pre, fts = family(seed + 16, 2)
    hint = mistakes.hint("no_validation")
    for density in (0.0, 1.5, -0.2, 1.0 + 1e-9):
        expect_raises(
            ValueError,
            lambda density=density: candidate.ties_merge(pre, fts, density, 1.0),
            name=f"density {density}",
            hint=hint,
        )


# -- inputs ----------------------------------------------------------------------------------
@points(7)
def test_inputs_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 17, 3)
    expect_inputs_unchanged(
        candidate, "ties_merge", pre, fts, 0.4, 1.0,
        mistakes=mistakes, new_tensors=True, reference=solution,
    )  # fmt: skip


@points(7)
def test_plain_dicts_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 18)
    pre = {"w": torch.randn(5, 5, generator=g), "n": torch.tensor(3)}
    fts = [{"w": torch.randn(5, 5, generator=g), "n": torch.tensor(4)} for _ in range(2)]
    expect_inputs_unchanged(
        candidate, "ties_merge", pre, fts, 1.0, 0.7,
        mistakes=mistakes, new_tensors=True, reference=solution,
    )  # fmt: skip
