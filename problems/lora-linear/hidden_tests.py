"""Hidden tests: the initial state (A drawn as stated, B zero, dtype, keys), the frozen base
and the trainable set (probed through gradients), the forward formula and its alpha / r
scaling, merge and unmerge (idempotent, exact to float tolerance), invalid ranks, and that
construction leaves the base layer's values as they were.

A class cannot be returned across the sandbox, so the probe ``module_steps`` builds the
module in the child (torch seeded first, so that A is comparable) and drives it through a
list of steps: load a state, call it, merge, read the state or the gradients.

Layers, states, inputs and the seed the module is built under come from the per-grade
``seed``. Points follow the clause: the forward formula, the trainable set and merging weigh
most; validation and leaving the base's values alone least.
"""

import math

import torch
from torch import nn

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def linear(seed: int, in_f: int, out_f: int, bias: bool = True, dtype=torch.float32) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(in_f, out_f, bias=bias, dtype=dtype)


def trained_state(layer: nn.Linear, r: int, seed: int) -> dict[str, torch.Tensor]:
    """A state with non-zero A and B (as after some training), in the layer's dtype."""
    g = torch.Generator().manual_seed(seed)
    dtype = layer.weight.dtype
    state = {k: v.detach().clone() for k, v in layer.state_dict().items()}
    state = {f"base.{k}": v for k, v in state.items()}
    state["A"] = torch.randn(r, layer.in_features, generator=g).to(dtype)
    state["B"] = torch.randn(layer.out_features, r, generator=g).to(dtype)
    return state


def inputs(seed: int, *shape: int, dtype=torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def run_steps(proxy, args, steps, seed):
    """Build ``LoRALinear(*args)`` with torch seeded by ``seed``; the results of ``steps``."""
    probe = Probe("module_steps", seed, steps)
    return proxy.run("LoRALinear", *args, probe=probe).probe["steps"]


def same_steps(candidate, solution, mistakes, args, steps, seed, pick, name, **tol):
    """Run ``steps`` on the candidate and the solution; compare ``pick(results)``."""
    got = pick(run_steps(candidate, args, steps, seed))
    want = pick(run_steps(solution, args, steps, seed))
    expect_close(
        got,
        want,
        name=name,
        mistakes=mistakes.on(lambda m: pick(run_steps(m, args, steps, seed))),
        **tol,
    )
    return got


def first(results):
    return results[0]


def second(results):
    return results[1]


@points(8)
def test_initial_state_matches_the_stated_initialisation(candidate, solution, mistakes, seed):
    args = (linear(seed, 12, 7), 3, 6.0)
    got = same_steps(
        candidate, solution, mistakes, args, [("state", ())], seed + 100, first, "initial state"
    )
    expect_equal(got["B"], torch.zeros(7, 3), name="B at initialisation")


@points(7)
def test_initial_state_float64_without_bias(candidate, solution, mistakes, seed):
    layer = linear(seed + 1, 20, 9, bias=False, dtype=torch.float64)
    state = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 4, 4.0),
        [("state", ())],
        seed + 101,
        first,
        "initial state of a float64 layer without bias",
    )
    expect_equal(sorted(state), ["A", "B", "base.weight"], name="state_dict keys")
    bound = 1 / math.sqrt(20)
    spread = float(state["A"].abs().max())
    expect(
        spread <= bound * (1 + 1e-6) and spread > 0.5 * bound,
        f"max |A| is {spread:.4g}; kaiming_uniform_(a=sqrt(5)) draws from +-{bound:.4g}",
    )


@points(6)
def test_starts_exactly_at_the_base_layer(candidate, mistakes, seed):
    cases = (
        (linear(seed + 2, 6, 4), 2, 16.0, inputs(seed + 2, 5, 6)),
        (linear(seed + 20, 8, 8, bias=False), 8, 1.0, inputs(seed + 20, 2, 3, 8)),
    )
    for layer, r, alpha, x in cases:
        args, steps = (layer, r, alpha), [("__call__", (x,))]
        out = run_steps(candidate, args, steps, seed + 102)[0]
        expect_close(
            out,
            layer(x).detach(),
            name="output at initialisation (must equal base(x))",
            mistakes=mistakes.on(
                lambda m, args=args, steps=steps: run_steps(m, args, steps, seed + 102)[0]
            ),
        )


@points(10)
def test_forward_formula(candidate, solution, mistakes, seed):
    layer = linear(seed + 3, 8, 5)
    state = trained_state(layer, 2, seed + 3)
    x = inputs(seed + 30, 4, 8)
    got = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 2, 3.0),
        [("load_state_dict", (state,)), ("__call__", (x,))],
        seed + 103,
        second,
        "output with trained A and B",
    )
    want = layer(x).detach() + 1.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(got, want, name="output = base(x) + alpha/r * x A^T B^T")


@points(9)
def test_forward_scaling_and_batched_input(candidate, solution, mistakes, seed):
    """alpha / r: r = 4, alpha = 2 scales by 0.5; a (2, 3, in) input keeps its leading dims."""
    layer = linear(seed + 4, 6, 6)
    state = trained_state(layer, 4, seed + 4)
    x = inputs(seed + 40, 2, 3, 6)
    got = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 4, 2.0),
        [("load_state_dict", (state,)), ("__call__", (x,))],
        seed + 104,
        second,
        "output for a (2, 3, 6) input",
    )
    want = layer(x).detach() + 0.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(got, want, name="output = base(x) + alpha/r * x A^T B^T")


@points(8)
def test_only_a_and_b_are_trainable(candidate, mistakes, seed):
    for layer, r in ((linear(seed + 5, 7, 3), 2), (linear(seed + 50, 4, 9, bias=False), 4)):
        flags = run_steps(candidate, (layer, r, 1.0), [("requires_grad", ())], seed + 105)[0]
        want = {k: k in ("A", "B") for k in ["A", "B", *(f"base.{k}" for k in layer.state_dict())]}
        expect(
            flags == want,
            f"requires_grad per parameter is {flags}, expected {want}",
            hint=mistakes.hint("base_not_frozen") if flags.get("base.weight") else None,
        )


def check_grads(candidate, solution, mistakes, seed, r, alpha):
    layer = linear(seed, 6, 5)
    state = trained_state(layer, r, seed)
    same_steps(
        candidate,
        solution,
        mistakes,
        (layer, r, alpha),
        [("load_state_dict", (state,)), ("grads", (inputs(seed, 3, 6),))],
        seed + 100,
        second,
        "gradients of sum(output) (only trainable parameters)",
    )


@points(6)
def test_gradients_reach_a_and_b_only(candidate, solution, mistakes, seed):
    check_grads(candidate, solution, mistakes, seed + 7, 2, 4.0)


@points(6)
def test_gradients_at_another_rank(candidate, solution, mistakes, seed):
    check_grads(candidate, solution, mistakes, seed + 8, 3, 1.5)


@points(9)
def test_merge_folds_the_update_and_keeps_the_output(candidate, solution, mistakes, seed):
    layer = linear(seed + 9, 10, 6)
    state = trained_state(layer, 3, seed + 9)
    x = inputs(seed + 90, 4, 10)
    args = (layer, 3, 6.0)
    steps = [("load_state_dict", (state,)), ("__call__", (x,)), ("merge", ())]
    steps += [("state", ()), ("__call__", (x,)), ("merge", ()), ("state", ()), ("__call__", (x,))]
    got = run_steps(candidate, args, steps, seed + 109)
    want_weight = state["base.weight"] + 2.0 * state["B"] @ state["A"]

    def theirs(m):
        return run_steps(m, args, steps, seed + 109)

    expect_close(
        got[3]["base.weight"],
        want_weight,
        name="base.weight after merge() = W + alpha/r * B A",
        mistakes=mistakes.on(lambda m: theirs(m)[3]["base.weight"]),
    )
    expect_close(
        got[4],
        got[1],
        name="output after merge() (must equal the output before)",
        mistakes=mistakes.on(lambda m: theirs(m)[4]),
    )
    expect_close(
        got[6]["base.weight"],
        want_weight,
        name="base.weight after a second merge()",
        mistakes=mistakes.on(lambda m: theirs(m)[6]["base.weight"]),
    )
    expect_close(got[7], got[1], name="output after a second merge()")
    same_steps(candidate, solution, mistakes, args, steps, seed + 109, lambda s: s[4], "merged")


@points(8)
def test_merged_float64_layer_keeps_its_output(candidate, solution, mistakes, seed):
    """A float64 layer without bias, r = 4, alpha = 2: merge() changes the weight, not y."""
    layer = linear(seed + 12, 7, 5, bias=False, dtype=torch.float64)
    state = trained_state(layer, 4, seed + 12)
    x = inputs(seed + 120, 2, 3, 7, dtype=torch.float64)
    args = (layer, 4, 2.0)
    steps = [("load_state_dict", (state,)), ("__call__", (x,)), ("merge", ()), ("__call__", (x,))]
    got = run_steps(candidate, args, steps, seed + 112)
    expect_close(
        got[3],
        got[1],
        name="output after merge() (must equal the output before)",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps, seed + 112)[3]),
    )
    steps.append(("state", ()))
    same_steps(
        candidate, solution, mistakes, args, steps, seed + 112, lambda s: s[4], "merged state"
    )


def check_unmerge(candidate, mistakes, seed, dtype):
    layer = linear(seed, 9, 7, dtype=dtype)
    state = trained_state(layer, 2, seed)
    x = inputs(seed, 3, 9, dtype=dtype)
    steps = [("load_state_dict", (state,)), ("unmerge", ()), ("state", ()), ("merge", ())]
    steps += [("unmerge", ()), ("state", ()), ("__call__", (x,)), ("unmerge", ())]
    steps += [("state", ())]
    args = (layer, 2, 5.0)
    got = run_steps(candidate, args, steps, seed + 100)
    expect_close(
        got[2],
        state,
        name="state after unmerge() of an unmerged module",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps, seed + 100)[2]),
    )
    expect_close(
        got[5]["base.weight"],
        state["base.weight"],
        name="base.weight after merge() then unmerge()",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps, seed + 100)[5]["base.weight"]),
    )
    want = layer(x).detach() + 2.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(
        got[6],
        want,
        name="output after unmerge() (two branches again)",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps, seed + 100)[6]),
    )
    expect_close(got[8], got[5], name="state after a second unmerge()")


@points(6)
def test_unmerge_restores_the_weight(candidate, mistakes, seed):
    check_unmerge(candidate, mistakes, seed + 10, torch.float32)


@points(6)
def test_unmerge_restores_a_float64_weight(candidate, mistakes, seed):
    check_unmerge(candidate, mistakes, seed + 11, torch.float64)


@points(3)
def test_rank_zero_raises(candidate, mistakes, seed):
    expect_raises(
        ValueError,
        lambda: candidate.LoRALinear(linear(seed + 13, 5, 3), 0, 1.0),
        name="r = 0",
        hint=mistakes.hint("no_validation"),
    )


@points(3)
def test_rank_above_the_layers_raises(candidate, mistakes, seed):
    hint = mistakes.hint("no_validation")
    for (in_f, out_f), r in (((5, 3), 4), ((2, 8), 3)):
        expect_raises(
            ValueError,
            lambda a=in_f, b=out_f, r=r: candidate.LoRALinear(linear(seed + 14, a, b), r, 8.0),
            name=f"r = {r} for a {in_f} -> {out_f} layer",
            hint=hint,
        )


def check_base_unchanged(candidate, mistakes, layer):
    before = {k: v.clone() for k, v in layer.state_dict().items()}
    state = expect_inputs_unchanged(candidate, "LoRALinear", layer, 2, 3.0, mistakes=mistakes)
    expect_close(
        {k[5:]: v for k, v in state.items() if k.startswith("base.")},
        before,
        name="base.* in the module's state",
    )


@points(3)
def test_base_values_are_not_changed(candidate, mistakes, seed):
    check_base_unchanged(candidate, mistakes, linear(seed + 15, 6, 4))


@points(2)
def test_float64_base_values_are_not_changed(candidate, mistakes, seed):
    layer = linear(seed + 16, 3, 8, bias=False, dtype=torch.float64)
    check_base_unchanged(candidate, mistakes, layer)
