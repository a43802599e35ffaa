"""Hidden tests: the initial state (A drawn as stated, B zero, dtype, keys), the frozen base
and the trainable set (probed through gradients), the forward formula and its alpha / r
scaling, merge and unmerge (idempotent, exact to float tolerance), invalid ranks, and that
construction leaves the base layer's values as they were.

A class cannot be returned across the sandbox, so the probe ``module_steps`` builds the
module in the child (torch seeded first, so that A is comparable) and drives it through a
list of steps: load a state, call it, merge, read the state or the gradients.
"""

import math

import torch
from torch import nn

from judge.testing import Probe, TestFailed, expect, expect_close, expect_equal, expect_raises

SEED = 1234


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


def run_steps(proxy, args, steps):
    return proxy.run("LoRALinear", *args, probe=Probe("module_steps", SEED, steps)).probe["steps"]


def same_steps(candidate, solution, mistakes, args, steps, pick, name, **tol):
    """Run ``steps`` on the candidate and the solution; compare ``pick(results)``."""
    got = pick(run_steps(candidate, args, steps))
    want = pick(run_steps(solution, args, steps))
    expect_close(
        got,
        want,
        name=name,
        mistakes=mistakes.on(lambda m: pick(run_steps(m, args, steps))),
        **tol,
    )
    return got


def test_initial_state_matches_the_stated_initialisation(candidate, solution, mistakes):
    args = (linear(0, 12, 7), 3, 6.0)
    got = same_steps(
        candidate, solution, mistakes, args, [("state", ())], lambda s: s[0], "initial state"
    )
    expect_equal(got["B"], torch.zeros(7, 3), name="B at initialisation")


def test_initial_state_float64_without_bias(candidate, solution, mistakes):
    layer = linear(1, 20, 9, bias=False, dtype=torch.float64)
    state = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 4, 4.0),
        [("state", ())],
        lambda s: s[0],
        "initial state of a float64 layer without bias",
    )
    expect_equal(sorted(state), ["A", "B", "base.weight"], name="state_dict keys")
    bound = 1 / math.sqrt(20)
    spread = float(state["A"].abs().max())
    expect(
        spread <= bound * (1 + 1e-6) and spread > 0.5 * bound,
        f"max |A| is {spread:.4g}; kaiming_uniform_(a=sqrt(5)) draws from +-{bound:.4g}",
    )


def test_starts_exactly_at_the_base_layer(candidate, mistakes):
    cases = (
        (linear(2, 6, 4), 2, 16.0, torch.randn(5, 6, generator=torch.Generator().manual_seed(2))),
        (linear(20, 8, 8, bias=False), 8, 1.0, torch.randn(2, 3, 8, generator=torch.Generator())),
    )
    for layer, r, alpha, x in cases:
        args, steps = (layer, r, alpha), [("__call__", (x,))]
        out = run_steps(candidate, args, steps)[0]
        expect_close(
            out,
            layer(x).detach(),
            name="output at initialisation (must equal base(x))",
            mistakes=mistakes.on(lambda m, args=args, steps=steps: run_steps(m, args, steps)[0]),
        )


def test_forward_formula(candidate, solution, mistakes):
    layer = linear(3, 8, 5)
    state = trained_state(layer, 2, 3)
    x = torch.randn(4, 8, generator=torch.Generator().manual_seed(30))
    got = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 2, 3.0),
        [("load_state_dict", (state,)), ("__call__", (x,))],
        lambda s: s[1],
        "output with trained A and B",
    )
    want = layer(x).detach() + 1.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(got, want, name="output = base(x) + alpha/r * x A^T B^T")


def test_forward_scaling_and_batched_input(candidate, solution, mistakes):
    """alpha / r: r = 4, alpha = 2 scales by 0.5; a (2, 3, in) input keeps its leading dims."""
    layer = linear(4, 6, 6)
    state = trained_state(layer, 4, 4)
    x = torch.randn(2, 3, 6, generator=torch.Generator().manual_seed(40))
    got = same_steps(
        candidate,
        solution,
        mistakes,
        (layer, 4, 2.0),
        [("load_state_dict", (state,)), ("__call__", (x,))],
        lambda s: s[1],
        "output for a (2, 3, 6) input",
    )
    want = layer(x).detach() + 0.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(got, want, name="output = base(x) + alpha/r * x A^T B^T")


def test_only_a_and_b_are_trainable(candidate, mistakes):
    for layer, r in ((linear(5, 7, 3), 2), (linear(6, 4, 9, bias=False), 4)):
        flags = run_steps(candidate, (layer, r, 1.0), [("requires_grad", ())])[0]
        want = {k: k in ("A", "B") for k in ["A", "B", *(f"base.{k}" for k in layer.state_dict())]}
        expect(
            flags == want,
            f"requires_grad per parameter is {flags}, expected {want}",
            hint=mistakes.hint("base_not_frozen") if flags.get("base.weight") else None,
        )


def test_gradients_reach_a_and_b_only(candidate, solution, mistakes):
    for seed, r, alpha in ((7, 2, 4.0), (8, 3, 1.5)):
        layer = linear(seed, 6, 5)
        state = trained_state(layer, r, seed)
        x = torch.randn(3, 6, generator=torch.Generator().manual_seed(seed))
        same_steps(
            candidate,
            solution,
            mistakes,
            (layer, r, alpha),
            [("load_state_dict", (state,)), ("grads", (x,))],
            lambda s: s[1],
            "gradients of sum(output) (only trainable parameters)",
        )


def test_merge_folds_the_update_and_keeps_the_output(candidate, solution, mistakes):
    layer = linear(9, 10, 6)
    state = trained_state(layer, 3, 9)
    x = torch.randn(4, 10, generator=torch.Generator().manual_seed(90))
    steps = [("load_state_dict", (state,)), ("__call__", (x,)), ("merge", ())]
    steps += [("state", ()), ("__call__", (x,)), ("merge", ()), ("state", ()), ("__call__", (x,))]
    got = run_steps(candidate, (layer, 3, 6.0), steps)
    want_weight = state["base.weight"] + 2.0 * state["B"] @ state["A"]
    expect_close(
        got[3]["base.weight"],
        want_weight,
        name="base.weight after merge() = W + alpha/r * B A",
        mistakes=mistakes.on(lambda m: run_steps(m, (layer, 3, 6.0), steps)[3]["base.weight"]),
    )
    expect_close(
        got[4],
        got[1],
        name="output after merge() (must equal the output before)",
        mistakes=mistakes.on(lambda m: run_steps(m, (layer, 3, 6.0), steps)[4]),
    )
    expect_close(
        got[6]["base.weight"],
        want_weight,
        name="base.weight after a second merge()",
        mistakes=mistakes.on(lambda m: run_steps(m, (layer, 3, 6.0), steps)[6]["base.weight"]),
    )
    expect_close(got[7], got[1], name="output after a second merge()")
    same_steps(candidate, solution, mistakes, (layer, 3, 6.0), steps, lambda s: s[4], "merged")


def check_unmerge(candidate, mistakes, seed, dtype):
    layer = linear(seed, 9, 7, dtype=dtype)
    state = trained_state(layer, 2, seed)
    x = torch.randn(3, 9, generator=torch.Generator().manual_seed(seed)).to(dtype)
    steps = [("load_state_dict", (state,)), ("unmerge", ()), ("state", ()), ("merge", ())]
    steps += [("unmerge", ()), ("state", ()), ("__call__", (x,)), ("unmerge", ())]
    steps += [("state", ())]
    args = (layer, 2, 5.0)
    got = run_steps(candidate, args, steps)
    expect_close(
        got[2],
        state,
        name="state after unmerge() of an unmerged module",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps)[2]),
    )
    expect_close(
        got[5]["base.weight"],
        state["base.weight"],
        name="base.weight after merge() then unmerge()",
        mistakes=mistakes.on(lambda m: run_steps(m, args, steps)[5]["base.weight"]),
    )
    want = layer(x).detach() + 2.5 * (x @ state["A"].T) @ state["B"].T
    expect_close(got[6], want, name="output after unmerge() (two branches again)")
    expect_close(got[8], got[5], name="state after a second unmerge()")


def test_unmerge_restores_the_weight(candidate, mistakes):
    check_unmerge(candidate, mistakes, 10, torch.float32)
    check_unmerge(candidate, mistakes, 11, torch.float64)


def test_invalid_ranks_raise(candidate, mistakes):
    try:
        expect_raises(ValueError, lambda: candidate.LoRALinear(linear(12, 5, 3), 0, 1.0))
        expect_raises(ValueError, lambda: candidate.LoRALinear(linear(12, 5, 3), 4, 1.0))
        expect_raises(ValueError, lambda: candidate.LoRALinear(linear(13, 2, 8), 3, 8.0))
    except TestFailed as failure:
        raise TestFailed(failure.args[0], hint=mistakes.hint("no_validation")) from None


def test_base_values_are_not_changed(candidate):
    for layer in (linear(14, 6, 4), linear(15, 3, 8, bias=False, dtype=torch.float64)):
        before = {k: v.clone() for k, v in layer.state_dict().items()}
        out = candidate.run("LoRALinear", layer, 2, 3.0)
        expect_close(out.args[0], before, name="the base layer after LoRALinear(base, ...)")
        expect_close(
            {k[5:]: v for k, v in out.value.items() if k.startswith("base.")},
            before,
            name="base.* in the module's state",
        )
