"""Public tests: the worked example of the prompt (forward and merge), the start state, and
one test per clause of the prompt on small layers with the numbers in view (the hidden tests
draw other layers and states).

A class cannot be returned across the sandbox, so the probe ``module_steps`` builds the
module in the child and drives it through a list of steps (load a state, call it, merge,
read the state or the requires_grad flags)."""

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, expect_equal, expect_raises


def identity_layer() -> nn.Linear:
    base = nn.Linear(2, 2)
    with torch.no_grad():
        base.weight.copy_(torch.eye(2))
        base.bias.zero_()
    return base


def test_worked_example(candidate, mistakes):
    state = {
        "base.weight": torch.eye(2),
        "base.bias": torch.zeros(2),
        "A": torch.tensor([[1.0, 2.0]]),
        "B": torch.tensor([[0.5], [-1.0]]),
    }
    x = torch.tensor([[1.0, 1.0]])
    steps = [("load_state_dict", (state,)), ("__call__", (x,)), ("merge", ()), ("state", ())]
    steps += [("__call__", (x,))]
    args = (identity_layer(), 1, 2.0)
    probe = Probe("module_steps", 0, steps)
    got = candidate.run("LoRALinear", *args, probe=probe).probe["steps"]
    expect_close(
        got[1],
        torch.tensor([[4.0, -5.0]]),
        name="output before merge()",
        mistakes=mistakes.on(lambda m: m.run("LoRALinear", *args, probe=probe).probe["steps"][1]),
    )
    expect_close(
        got[3]["base.weight"],
        torch.tensor([[2.0, 2.0], [-2.0, -3.0]]),
        name="base.weight after merge()",
    )
    expect_close(got[4], torch.tensor([[4.0, -5.0]]), name="output after merge()")


def test_starts_at_the_base_layer(candidate):
    torch.manual_seed(0)
    base = nn.Linear(5, 3)
    state = candidate.LoRALinear(base, 2, 4.0)
    expect_equal(sorted(state), ["A", "B", "base.bias", "base.weight"], name="state_dict keys")
    expect_equal(tuple(state["A"].shape), (2, 5), name="shape of A")
    expect_equal(state["B"], torch.zeros(3, 2), name="B")
    expect_close(state["base.weight"], base.weight.detach(), name="base.weight")


def rank_two_case() -> tuple[tuple, dict, torch.Tensor]:
    """Base weight I and bias [1, -1]; r = 2, alpha = 4; A = [[1, 1], [0, 1]], B = diag(1, 2)."""
    args = (identity_layer(), 2, 4.0)
    state = {
        "base.weight": torch.eye(2),
        "base.bias": torch.tensor([1.0, -1.0]),
        "A": torch.tensor([[1.0, 1.0], [0.0, 1.0]]),
        "B": torch.tensor([[1.0, 0.0], [0.0, 2.0]]),
    }
    return args, state, torch.tensor([[1.0, 2.0]])


def steps_of(proxy, args, steps):
    return proxy.run("LoRALinear", *args, probe=Probe("module_steps", 0, steps)).probe["steps"]


def test_update_is_scaled_by_alpha_over_r(candidate, mistakes):
    """Example. r = 2 and alpha = 4 scale the low-rank branch by alpha / r = 2 (not by 4).
    With A = [[1, 1], [0, 1]], B = diag(1, 2) and x = [1, 2]: x A^T = [3, 2],
    (x A^T) B^T = [3, 4], times 2 is [6, 8]; base(x) = x + [1, -1] = [2, 1]; the output is
    [8, 9].

    中文：r = 2、alpha = 4 时低秩分支乘以 alpha / r = 2（不是 4）。A = [[1, 1], [0, 1]]、
    B = diag(1, 2)、x = [1, 2]：x A^T = [3, 2]，(x A^T) B^T = [3, 4]，乘 2 得 [6, 8]；
    base(x) = x + [1, -1] = [2, 1]；输出为 [8, 9]。
    """
    args, state, x = rank_two_case()
    steps = [("load_state_dict", (state,)), ("__call__", (x,))]
    expect_close(
        steps_of(candidate, args, steps)[1],
        torch.tensor([[8.0, 9.0]]),
        name="output with r = 2, alpha = 4",
        mistakes=mistakes.on(lambda m: steps_of(m, args, steps)[1]),
    )


def test_merge_and_unmerge_twice(candidate, mistakes):
    """Example. The prompt's module (weight I, r = 1, alpha = 2, A = [1, 2], B = [0.5, -1]^T):
    merge() adds 2 B A = [[1, 2], [-2, -4]] to base.weight, giving [[2, 2], [-2, -3]], and
    the output for x = [1, 1] stays [4, -5]; a second merge() changes nothing. unmerge()
    restores I, and a second unmerge() changes nothing; the output is still [4, -5].

    中文：题目中的模块（权重 I、r = 1、alpha = 2、A = [1, 2]、B = [0.5, -1]^T）：merge() 把
    2 B A = [[1, 2], [-2, -4]] 加进 base.weight，得到 [[2, 2], [-2, -3]]，x = [1, 1] 的输出
    仍是 [4, -5]；再调用一次 merge() 不改变任何东西。unmerge() 恢复为 I，再调用一次
    unmerge() 也不改变任何东西；输出仍是 [4, -5]。
    """
    state = {
        "base.weight": torch.eye(2),
        "base.bias": torch.zeros(2),
        "A": torch.tensor([[1.0, 2.0]]),
        "B": torch.tensor([[0.5], [-1.0]]),
    }
    x = torch.tensor([[1.0, 1.0]])
    args = (identity_layer(), 1, 2.0)
    steps = [("load_state_dict", (state,)), ("merge", ()), ("state", ()), ("__call__", (x,))]
    steps += [("merge", ()), ("state", ()), ("__call__", (x,))]
    steps += [("unmerge", ()), ("unmerge", ()), ("state", ()), ("__call__", (x,))]
    got = steps_of(candidate, args, steps)
    merged_weight = torch.tensor([[2.0, 2.0], [-2.0, -3.0]])
    output = torch.tensor([[4.0, -5.0]])
    checks = [
        (2, "base.weight", merged_weight, "base.weight after merge()"),
        (3, None, output, "output after merge()"),
        (5, "base.weight", merged_weight, "base.weight after a second merge()"),
        (6, None, output, "output after a second merge()"),
        (9, "base.weight", torch.eye(2), "base.weight after unmerge() twice"),
        (10, None, output, "output after unmerge() twice"),
    ]
    for i, key, want, name in checks:

        def pick(results, i=i, key=key):
            return results[i] if key is None else results[i][key]

        expect_close(
            pick(got),
            want,
            name=name,
            mistakes=mistakes.on(lambda m, pick=pick: pick(steps_of(m, args, steps))),
        )


def test_only_a_and_b_are_trainable(candidate, mistakes):
    """The constructor sets requires_grad=False on base.weight and base.bias; A and B are
    the trainable parameters."""
    flags = steps_of(candidate, (nn.Linear(3, 2), 1, 1.0), [("requires_grad", ())])[0]
    want = {"A": True, "B": True, "base.weight": False, "base.bias": False}
    expect(
        flags == want,
        f"requires_grad per parameter is {flags}, expected {want}",
        hint=mistakes.hint("base_not_frozen") if flags.get("base.weight") else None,
    )


def test_invalid_ranks_raise(candidate, mistakes):
    """r must satisfy 1 <= r <= min(in_features, out_features): for a Linear(4, 2), r = 0
    and r = 3 raise ValueError."""
    for r in (0, 3):
        expect_raises(
            ValueError,
            lambda r=r: candidate.LoRALinear(nn.Linear(4, 2), r, 1.0),
            name=f"LoRALinear(Linear(4, 2), r={r}, alpha=1.0)",
            hint=mistakes.hint("no_validation"),
        )
