"""Public tests: the worked example of the prompt, amount 0 (a copy of the model), and one
test per clause of the prompt on small models with the numbers in view (the hidden tests
draw random MLPs)."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, expect_inputs_unchanged, expect_raises

T = torch.tensor


def linear(weight: list, bias: list) -> nn.Linear:
    """An nn.Linear with exactly these weight rows and bias entries."""
    w = T(weight)
    layer = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(T(bias))
    return layer


def shapes(state: dict) -> dict:
    return {k: tuple(v.shape) for k, v in state.items()}


def example_model() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 0.0], [-3.0, 2.0], [0.5, 0.5]]))
    return model


def test_worked_example(candidate, mistakes):
    model = example_model()
    got = candidate.prune_neurons(model, 0.5)
    want = {
        "0.weight": torch.tensor([[1.0, -1.0], [-3.0, 2.0]]),
        "0.bias": model[0].bias.detach()[[0, 2]],
        "2.weight": model[2].weight.detach()[:, [0, 2]],
        "2.bias": model[2].bias.detach(),
    }
    expect_equal(
        {k: tuple(v.shape) for k, v in got.items()},
        {k: tuple(v.shape) for k, v in want.items()},
        name="parameter shapes of the pruned model",
        mistakes=mistakes.on(
            lambda m: {k: tuple(v.shape) for k, v in m.prune_neurons(model, 0.5).items()}
        ),
    )
    expect_close(
        got, want, name="pruned model", mistakes=mistakes.on(lambda m: m.prune_neurons(model, 0.5))
    )


def test_amount_zero_is_a_copy(candidate):
    model = example_model()
    expect_close(candidate.prune_neurons(model, 0.0), dict(model.state_dict()), name="amount 0")


def test_scores_are_l1_norms_of_the_rows(candidate, mistakes):
    """Example. The score is the L1 norm of a unit's row, not its L2 norm. The rows
    [2, 0], [1, 1.5], [3, 0], [0, -4] score 2, 2.5, 3, 4 (L1); at amount 0.25 one of the 4
    units goes (round(1.0) = 1): unit 0. By the L2 norm (2, 1.80, 3, 4) unit 1 would go.
    The output layer (2 units) is not pruned; it loses column 0.

    中文：得分是单元那一行的 L1 范数，不是 L2 范数。各行 [2, 0]、[1, 1.5]、[3, 0]、[0, -4]
    的 L1 得分为 2、2.5、3、4；amount 0.25 时 4 个单元去掉一个（round(1.0) = 1）：单元 0。
    若按 L2 范数（2、1.80、3、4），去掉的会是单元 1。输出层（2 个单元）不剪，只去掉第 0 列。
    """
    model = nn.Sequential(
        linear([[2.0, 0.0], [1.0, 1.5], [3.0, 0.0], [0.0, -4.0]], [0.1, 0.2, 0.3, 0.4]),
        nn.ReLU(),
        linear([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], [0.0, 1.0]),
    )
    want = {
        "0.weight": T([[1.0, 1.5], [3.0, 0.0], [0.0, -4.0]]),
        "0.bias": T([0.2, 0.3, 0.4]),
        "2.weight": T([[2.0, 3.0, 4.0], [6.0, 7.0, 8.0]]),
        "2.bias": T([0.0, 1.0]),
    }
    expect_close(
        candidate.prune_neurons(model, 0.25),
        want,
        name="pruned model",
        mistakes=mistakes.on(lambda m: m.prune_neurons(model, 0.25)),
    )


def test_ties_remove_the_larger_index(candidate, mistakes):
    """Example. Rows [1, 1], [2, 0], [0, -2], [3, 1] score 2, 2, 2, 4. At amount 0.5 two
    units go; among the three tied at 2 the larger indices go first: units 2 and 1. Units 0
    and 3 stay, in that order, and the output layer keeps columns 0 and 3.

    中文：各行 [1, 1]、[2, 0]、[0, -2]、[3, 1] 的得分为 2、2、2、4。amount 0.5 时去掉两个
    单元；得分同为 2 的三个单元中先去掉下标较大的：单元 2 和 1。单元 0 和 3 保留（顺序不变），
    输出层保留第 0、3 列。
    """
    model = nn.Sequential(
        linear([[1.0, 1.0], [2.0, 0.0], [0.0, -2.0], [3.0, 1.0]], [1.0, 2.0, 3.0, 4.0]),
        nn.Tanh(),
        linear([[1.0, 2.0, 3.0, 4.0]], [0.5]),
    )
    want = {
        "0.weight": T([[1.0, 1.0], [3.0, 1.0]]),
        "0.bias": T([1.0, 4.0]),
        "2.weight": T([[1.0, 4.0]]),
        "2.bias": T([0.5]),
    }
    expect_close(
        candidate.prune_neurons(model, 0.5),
        want,
        name="pruned model",
        mistakes=mistakes.on(lambda m: m.prune_neurons(model, 0.5)),
    )


def test_count_is_rounded_and_capped_and_the_output_layer_stays(candidate, mistakes):
    """Example. A hidden layer of 4 units with scores 1, 2, 3, 4 before an output layer of 3
    units. At amount 0.4 it loses round(1.6) = 2 units (int(1.6) would be 1): units 2 and 3
    stay. At amount 1.0 it loses min(4, 3) = 3: one unit, unit 3, always stays. The output
    layer keeps its 3 units at both amounts (round(0.4 * 3) = 1 is not removed from it).

    中文：一个 4 单元的隐藏层，得分为 1、2、3、4，后面是 3 个单元的输出层。amount 0.4 时
    它去掉 round(1.6) = 2 个单元（int(1.6) 只会是 1）：保留单元 2 和 3。amount 1.0 时去掉
    min(4, 3) = 3 个：总会留下一个单元，即单元 3。两种 amount 下输出层都保留全部 3 个单元
    （不会从它去掉 round(0.4 * 3) = 1 个）。
    """
    w1 = torch.arange(12.0).reshape(3, 4).tolist()
    model = nn.Sequential(
        linear([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0], [4.0, 0.0, 0.0]], [0.0] * 4),
        nn.ReLU(),
        linear(w1, [7.0, 8.0, 9.0]),
    )
    wants = {
        0.4: {
            "0.weight": T([[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]]),
            "0.bias": T([0.0, 0.0]),
            "2.weight": T([[2.0, 3.0], [6.0, 7.0], [10.0, 11.0]]),
            "2.bias": T([7.0, 8.0, 9.0]),
        },
        1.0: {
            "0.weight": T([[4.0, 0.0, 0.0]]),
            "0.bias": T([0.0]),
            "2.weight": T([[3.0], [7.0], [11.0]]),
            "2.bias": T([7.0, 8.0, 9.0]),
        },
    }
    for amount, want in wants.items():
        got = candidate.prune_neurons(model, amount)
        expect_equal(
            shapes(got),
            shapes(want),
            name=f"parameter shapes at amount {amount}",
            mistakes=mistakes.on(lambda m, a=amount: shapes(m.prune_neurons(model, a))),
        )
        expect_close(
            got,
            want,
            name=f"pruned model at amount {amount}",
            mistakes=mistakes.on(lambda m, a=amount: m.prune_neurons(model, a)),
        )


def test_every_layer_is_scored_on_the_original_model(candidate, mistakes):
    """Example. Two hidden layers of 2 units, amount 0.5: each loses one. Layer 0's rows
    [1, 0], [2, 0] score 1, 2: unit 0 goes. Layer 2's rows [5, 1], [0, 3] score 6, 3 on the
    original model: its unit 1 goes, and it keeps row [5, 1] without column 0, i.e. [[1]].
    Scoring layer 2 after cutting column 0 would give 1, 3 and remove its unit 0 instead.

    中文：两个隐藏层，各 2 个单元，amount 0.5：每层去掉一个。第 0 层的行 [1, 0]、[2, 0]
    得分为 1、2：去掉单元 0。第 2 层的行 [5, 1]、[0, 3] 在原始模型上得分为 6、3：去掉它的
    单元 1，保留行 [5, 1] 去掉第 0 列后的 [[1]]。若先切掉第 0 列再给第 2 层打分，得分变成
    1、3，去掉的就成了单元 0。
    """
    model = nn.Sequential(
        linear([[1.0, 0.0], [2.0, 0.0]], [0.1, 0.2]),
        nn.ReLU(),
        linear([[5.0, 1.0], [0.0, 3.0]], [0.3, 0.4]),
        nn.ReLU(),
        linear([[6.0, 7.0]], [0.5]),
    )
    want = {
        "0.weight": T([[2.0, 0.0]]),
        "0.bias": T([0.2]),
        "2.weight": T([[1.0]]),
        "2.bias": T([0.3]),
        "4.weight": T([[6.0]]),
        "4.bias": T([0.5]),
    }
    expect_close(
        candidate.prune_neurons(model, 0.5),
        want,
        name="pruned model",
        mistakes=mistakes.on(lambda m: m.prune_neurons(model, 0.5)),
    )


def test_invalid_arguments_raise(candidate, mistakes):
    """An amount outside [0, 1], or a layer other than nn.Linear with parameters (here a
    LayerNorm), raises ValueError."""
    hint = mistakes.hint("no_validation")
    model = nn.Sequential(linear([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]), linear([[1.0, 1.0]], [0]))
    with_norm = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    for amount in (1.2, -0.5):
        expect_raises(
            ValueError,
            lambda a=amount: candidate.prune_neurons(model, a),
            name=f"amount {amount}",
            hint=hint,
        )
    expect_raises(
        ValueError,
        lambda: candidate.prune_neurons(with_norm, 0.5),
        name="a LayerNorm between the Linears",
        hint=hint,
    )


def test_model_is_not_modified(candidate, mistakes):
    """prune_neurons returns a new model: the one passed in keeps its layers and weights."""
    model = nn.Sequential(
        linear([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]], [0.1, 0.2, 0.3]),
        nn.ReLU(),
        linear([[1.0, 2.0, 3.0]], [0.0]),
    )
    expect_inputs_unchanged(candidate, "prune_neurons", model, 0.5, mistakes=mistakes)
