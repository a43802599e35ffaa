"""Public tests: the prompt's 2-unit example, a permuted copy of a network recovered, and one
test per clause of the prompt on small networks with the numbers in view (the hidden tests
draw other networks)."""

import torch
from torch import nn

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def mlp(*layers: tuple) -> nn.Sequential:
    """An MLP whose Linear layers have exactly these (weight, bias or None), ReLU between."""
    modules: list[nn.Module] = []
    for i, (weight, bias) in enumerate(layers):
        w = T(weight)
        layer = nn.Linear(w.shape[1], w.shape[0], bias=bias is not None)
        with torch.no_grad():
            layer.weight.copy_(w)
            if bias is not None:
                layer.bias.copy_(T(bias))
        modules += [layer] if i == len(layers) - 1 else [layer, nn.ReLU()]
    return nn.Sequential(*modules)


def test_the_prompts_example(candidate, mistakes):
    a = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1, bias=False))
    b = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1, bias=False))
    with torch.no_grad():
        a[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        a[0].bias.zero_()
        a[2].weight.copy_(torch.tensor([[1.0, 1.0]]))
        b[0].weight.copy_(torch.tensor([[0.0, 2.0], [3.0, 0.0]]))
        b[0].bias.zero_()
        b[2].weight.copy_(torch.tensor([[5.0, 7.0]]))
    expect_close(
        candidate.align_mlp(a, b),
        {
            "0.weight": torch.tensor([[3.0, 0.0], [0.0, 2.0]]),
            "0.bias": torch.tensor([0.0, 0.0]),
            "2.weight": torch.tensor([[7.0, 5.0]]),
        },
        name="aligned B",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )


def test_a_permuted_copy_is_recovered(candidate, mistakes):
    torch.manual_seed(0)
    a = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    perm = torch.tensor([2, 0, 3, 1])
    b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        b[0].weight.copy_(a[0].weight[perm])
        b[0].bias.copy_(a[0].bias[perm])
        b[2].weight.copy_(a[2].weight[:, perm])
        b[2].bias.copy_(a[2].bias)
    expect_close(
        candidate.align_mlp(a, b),
        dict(a.state_dict()),
        name="B (A with hidden units 2, 0, 3, 1) aligned to A",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )


def test_the_bias_is_part_of_the_score(candidate, mistakes):
    """Example. A and B have the same first weight I, but A's biases are (3, 0) and B's
    (0, 3). S = W^A (W^B)^T + b^A (b^B)^T = I + [[0, 9], [0, 0]] = [[1, 9], [0, 1]]: keeping
    the order scores 2, swapping 9 + 0 = 9, so B's units swap. Without the bias term S = I
    and nothing would move.

    中文：A 和 B 的第一层权重都是 I，但 A 的偏置是 (3, 0)，B 的是 (0, 3)。
    S = W^A (W^B)^T + b^A (b^B)^T = I + [[0, 9], [0, 0]] = [[1, 9], [0, 1]]：保持原顺序得分 2，
    交换得分 9 + 0 = 9，所以 B 的两个单元交换。若不计偏置项，S = I，什么都不会动。
    """
    a = mlp(([[1.0, 0.0], [0.0, 1.0]], [3.0, 0.0]), ([[1.0, 1.0]], None))
    b = mlp(([[1.0, 0.0], [0.0, 1.0]], [0.0, 3.0]), ([[5.0, 7.0]], None))
    expect_close(
        candidate.align_mlp(a, b),
        {
            "0.weight": T([[0.0, 1.0], [1.0, 0.0]]),
            "0.bias": T([3.0, 0.0]),
            "2.weight": T([[7.0, 5.0]]),
        },
        name="aligned B",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )


def test_each_layer_is_compared_after_its_inputs_were_permuted(candidate, mistakes):
    """Example. Two hidden layers, no biases; A's hidden weights are both I. Layer 0:
    S = I (W_0^B)^T with W_0^B = [[0, 1], [1, 0]] prefers the swap, so B's layer-0 rows swap
    (giving I) and so do the columns of its layer-2 weight: [[0, 2], [3, 0]] becomes
    [[2, 0], [0, 3]]. Layer 2 compares A's I with that: S = diag(2, 3), so its units stay
    where they are, and so do the columns of the output weight [5, 7]. Scoring layer 2 with
    B's unpermuted [[0, 2], [3, 0]] would swap its units: [[0, 3], [2, 0]] and [7, 5].

    中文：两个隐藏层，没有偏置；A 的两个隐藏层权重都是 I。第 0 层：W_0^B = [[0, 1], [1, 0]]，
    S = I (W_0^B)^T 选择交换，于是 B 第 0 层的行交换（得到 I），第 2 层权重的列也随之交换：
    [[0, 2], [3, 0]] 变成 [[2, 0], [0, 3]]。第 2 层用 A 的 I 与它比较：S = diag(2, 3)，它的
    单元保持原位，输出层权重 [5, 7] 的列也不动。若用 B 未经列置换的 [[0, 2], [3, 0]] 给
    第 2 层打分，它的单元会被交换：得到 [[0, 3], [2, 0]] 和 [7, 5]。
    """
    eye = [[1.0, 0.0], [0.0, 1.0]]
    a = mlp((eye, None), (eye, None), ([[1.0, 1.0]], None))
    b = mlp(
        ([[0.0, 1.0], [1.0, 0.0]], None), ([[0.0, 2.0], [3.0, 0.0]], None), ([[5.0, 7.0]], None)
    )
    expect_close(
        candidate.align_mlp(a, b),
        {"0.weight": T(eye), "2.weight": T([[2.0, 0.0], [0.0, 3.0]]), "4.weight": T([[5.0, 7.0]])},
        name="aligned B",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )


def test_models_that_cannot_be_aligned_raise(candidate, mistakes):
    """Different hidden widths, or a module other than nn.Linear with parameters (here a
    PReLU, whose slope is a parameter), raise ValueError."""
    cases = [
        (
            "hidden widths 4 and 5",
            nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
            nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)),
        ),
        (
            "a PReLU between the layers",
            nn.Sequential(nn.Linear(3, 4), nn.PReLU(), nn.Linear(4, 2)),
            nn.Sequential(nn.Linear(3, 4), nn.PReLU(), nn.Linear(4, 2)),
        ),
    ]
    for what, a, b in cases:
        expect_raises(
            ValueError,
            lambda a=a, b=b: candidate.align_mlp(a, b),
            name=what,
            hint=mistakes.hint("no_validation"),
        )


def test_models_are_not_modified_and_results_are_new(candidate, mistakes):
    """Neither model changes, and no returned tensor (not even the output layer's bias, which
    is never permuted) shares memory with a model."""
    a = mlp(([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.5]))
    b = mlp(([[0.0, 2.0], [3.0, 0.0]], [0.0, 0.0]), ([[5.0, 7.0]], [0.25]))
    expect_inputs_unchanged(candidate, "align_mlp", a, b, mistakes=mistakes, new_tensors=True)
