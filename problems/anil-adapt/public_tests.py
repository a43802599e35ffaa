"""Public tests: one per clause of the prompt, on small fixed models whose numbers can be
followed by hand (the hidden tests draw other inputs)."""

import torch
from torch import nn

from judge.testing import (
    Probe,
    TestFailed,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_raises,
)


def example_model() -> nn.Sequential:
    """The prompt's example: body Linear(1, 1) (weight 2, bias 0) then ReLU; head Linear(1, 1)
    (weight 0.5, bias 0)."""
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1))
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[0].bias.zero_()
        model[2].weight.fill_(0.5)
        model[2].bias.zero_()
    return model


def test_one_step_by_hand(candidate, solution, mistakes):
    """Example. Body `Linear(1, 1)` with weight 2 and bias 0, then `ReLU`; head `Linear(1, 1)`
    with weight 0.5 and bias 0; x = 1, y = 3, MSE, lr 0.1, one step. The feature is 2 and the
    prediction 1, so the loss is 4; its gradients are 2·(1 − 3)·2 = −8 for the head's weight
    and −4 for its bias. One step makes the head's weight 0.5 + 0.8 = 1.3 and its bias 0.4;
    the body's entries are the model's own parameters, unchanged.

    中文：主体为 `Linear(1, 1)`（权重 2，偏置 0）接 `ReLU`；分类头为 `Linear(1, 1)`（权重 0.5，
    偏置 0）；x = 1，y = 3，MSE，学习率 0.1，走一步。特征为 2，预测为 1，损失为 4；它对分类头权重的
    梯度为 2·(1 − 3)·2 = −8，对偏置的梯度为 −4。走一步后分类头的权重为 0.5 + 0.8 = 1.3，偏置为
    0.4；主体的条目就是模型自己的参数，保持不变。"""
    model = example_model()
    args = (model, torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    got = candidate.anil_adapt(*args, steps=1)
    want = {
        "0.weight": torch.tensor([[2.0]]),
        "0.bias": torch.tensor([0.0]),
        "2.weight": torch.tensor([[1.3]]),
        "2.bias": torch.tensor([0.4]),
    }
    expect_close(
        got, want, name="anil_adapt, one step", mistakes=mistakes.on(lambda m: m.anil_adapt(*args))
    )


def test_every_name_in_order_and_the_body_unchanged(candidate, mistakes):
    """Example. Body `Linear(1, 1, bias=False)` with weight 2, then `ReLU`; head `Linear(1, 1)`
    with weight 0.5 and bias 0; x = 1, y = 3, MSE, lr 0.1, **two** steps. The first step is
    the one above (head weight 1.3, bias 0.4); then the prediction is 1.3·2 + 0.4 = 3 = y, the
    gradient is zero and the second step changes nothing. The result has every name of
    `model.named_parameters()` in order: '0.weight' (the body's, still 2), '2.weight' (1.3),
    '2.bias' (0.4). Adapting the body as well (MAML) would move '0.weight' to 2.2 in step one.

    中文：主体为 `Linear(1, 1, bias=False)`（权重 2）接 `ReLU`；分类头为 `Linear(1, 1)`（权重 0.5，
    偏置 0）；x = 1，y = 3，MSE，学习率 0.1，走**两**步。第一步与上例相同（分类头权重 1.3，偏置
    0.4）；此后预测为 1.3·2 + 0.4 = 3 = y，梯度为零，第二步不改变任何值。结果按顺序包含
    `model.named_parameters()` 的每个名字：'0.weight'（主体的，仍为 2）、'2.weight'（1.3）、
    '2.bias'（0.4）。如果连主体也适应（那是 MAML），第一步就会把 '0.weight' 变成 2.2。"""
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.ReLU(), nn.Linear(1, 1))
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[2].weight.fill_(0.5)
        model[2].bias.zero_()
    args = (model, torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    got = candidate.anil_adapt(*args, steps=2)
    want = {
        "0.weight": torch.tensor([[2.0]]),
        "2.weight": torch.tensor([[1.3]]),
        "2.bias": torch.tensor([0.4]),
    }
    expect_close(
        got,
        want,
        name="anil_adapt, two steps",
        mistakes=mistakes.on(lambda m: m.anil_adapt(*args, steps=2)),
    )
    expect(
        list(got) == list(want),
        f"the result's names are {list(got)}, want {list(want)} in that order",
    )


def test_steps_zero_returns_the_parameters(candidate, mistakes):
    """steps=0: no step is taken, so the result equals the model's parameters (weight 2,
    bias 0 for the body; weight 0.5, bias 0 for the head)."""
    args = (example_model(), torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    want = {
        "0.weight": torch.tensor([[2.0]]),
        "0.bias": torch.tensor([0.0]),
        "2.weight": torch.tensor([[0.5]]),
        "2.bias": torch.tensor([0.0]),
    }
    expect_close(
        candidate.anil_adapt(*args, steps=0),
        want,
        name="anil_adapt(steps=0)",
        mistakes=mistakes.on(lambda m: m.anil_adapt(*args, steps=0)),
    )


def two_weights() -> nn.Sequential:
    """f(x) = w·(a·x): body weight a = 2, head weight w = 0.5, no biases."""
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[1].weight.fill_(0.5)
    return model


def test_second_order_meta_gradient_by_hand(candidate, mistakes):
    """Example. f(x) = w·(a·x) with body weight a = 2 and head weight w = 0.5; support x = 1,
    y = 3, MSE, lr 0.1, one step: h = a = 2 and w' = w − 0.1·2(w·a − 3)·a = 1.3. For the
    query x = 1, y = 0 the loss is (w'·a)² = 6.76, with ∂/∂w' = 2w'a² = 10.4 and, directly,
    ∂/∂a = 2w'²a = 6.76. Through the inner step, ∂w'/∂w = 1 − 0.2a² = 0.2 and
    ∂w'/∂a = −0.2(2wa − 3) = 0.2, so the meta-gradient is 10.4·0.2 = 2.08 for w and
    6.76 + 10.4·0.2 = 8.84 for the body's a: the body is reached through the head's
    adaptation as well as through the query features.

    中文：f(x) = w·(a·x)，主体权重 a = 2，分类头权重 w = 0.5；支持集 x = 1、y = 3，MSE，学习率
    0.1，走一步：h = a = 2，w' = w − 0.1·2(w·a − 3)·a = 1.3。查询集 x = 1、y = 0 上的损失是
    (w'·a)² = 6.76，∂/∂w' = 2w'a² = 10.4，直接的 ∂/∂a = 2w'²a = 6.76。经过内层步，
    ∂w'/∂w = 1 − 0.2a² = 0.2，∂w'/∂a = −0.2(2wa − 3) = 0.2，所以对 w 的元梯度是
    10.4·0.2 = 2.08，对主体 a 的是 6.76 + 10.4·0.2 = 8.84：元梯度既经由查询特征、也经由分类头的
    适应过程到达主体。"""
    args = (two_weights(), torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    probe = Probe("query_grad", torch.tensor([[1.0]]), torch.tensor([[0.0]]), nn.MSELoss())
    got = candidate.run("anil_adapt", *args, probe=probe).probe
    expect_close(
        got["loss"],
        torch.tensor(6.76),
        name="query loss",
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, probe=probe).probe["loss"]),
    )
    expect_close(
        got["grads"],
        {"0.weight": torch.tensor([[8.84]]), "1.weight": torch.tensor([[2.08]])},
        name="meta-gradient (second order)",
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, probe=probe).probe["grads"]),
    )


def test_first_order_meta_gradient_by_hand(candidate, mistakes):
    """The model above with first_order=True: the inner gradient is a constant, so
    ∂w'/∂w = 1 and ∂w'/∂a = 0. The head's values are the same (w' = 1.3), the meta-gradient
    is 10.4 for w and only the direct 6.76 for the body's a."""
    args = (two_weights(), torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss(), 0.1)
    probe = Probe("query_grad", torch.tensor([[1.0]]), torch.tensor([[0.0]]), nn.MSELoss())
    got = candidate.run("anil_adapt", *args, probe=probe, first_order=True)
    expect_close(
        got.value,
        {"0.weight": torch.tensor([[2.0]]), "1.weight": torch.tensor([[1.3]])},
        name="adapted parameters (first_order=True)",
        mistakes=mistakes.on(lambda m: m.anil_adapt(*args, first_order=True)),
    )
    expect_close(
        got.probe["grads"],
        {"0.weight": torch.tensor([[6.76]]), "1.weight": torch.tensor([[10.4]])},
        name="meta-gradient (first_order=True)",
        mistakes=mistakes.on(
            lambda m: m.run("anil_adapt", *args, probe=probe, first_order=True).probe["grads"]
        ),
    )


def test_meta_gradient_reaches_the_body(candidate, solution, mistakes):
    """A Tanh body and two steps: the query loss and its gradient for every parameter equal
    the reference solution's."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    x, y, x_q, y_q = torch.randn(6, 2), torch.randn(6, 1), torch.randn(8, 2), torch.randn(8, 1)
    args = (model, x, y, nn.MSELoss(), 0.3)
    probe = Probe("query_grad", x_q, y_q, nn.MSELoss())
    got = candidate.run("anil_adapt", *args, probe=probe, steps=2).probe
    want = solution.run("anil_adapt", *args, probe=probe, steps=2).probe
    expect_close(
        got,
        want,
        name="query loss and its gradient through anil_adapt (steps=2)",
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, probe=probe, steps=2).probe),
    )


def test_features_computed_once(candidate, mistakes):
    """The body is `Dropout(0.5)` alone (in training mode), x = sixteen 0.5s, the head
    `Linear(16, 1, bias=False)` starts at zero; y = 1, MSE, lr 0.1, three steps. One draw of
    the mask keeps k features, each 0.5 / (1 − 0.5) = 1, the others 0. On those fixed features
    every kept weight moves alike: w ← w − 0.2(k·w − 1), so after three steps each kept
    weight is (1 − (1 − 0.2k)³) / k and each dropped one is still 0. Running the body in every
    step draws three masks, and the kept weights no longer agree."""
    model = nn.Sequential(nn.Dropout(0.5), nn.Linear(16, 1, bias=False))
    with torch.no_grad():
        model[1].weight.zero_()
    args = (model, torch.full((1, 16), 0.5), torch.tensor([[1.0]]), nn.MSELoss(), 0.1)
    got = candidate.anil_adapt(*args, steps=3)
    expect(isinstance(got, dict) and "1.weight" in got, "the result has no entry '1.weight'")
    weight = got["1.weight"]
    kept = weight != 0
    k = int(kept.sum())
    per_kept = (1 - (1 - 0.2 * k) ** 3) / k if k else 0.0
    want = torch.where(kept, torch.tensor(per_kept), torch.tensor(0.0))
    try:
        expect_close(weight, want, name=f"the head's weight ({k} of 16 features kept)")
    except TestFailed as failure:
        raise TestFailed(
            f"{failure.message}: the head's update is not explained by one draw of the body's "
            "features (one dropout mask)",
            mistakes.hint("features_every_step"),
        ) from None


def test_model_is_not_changed(candidate, solution, mistakes):
    """The model (the example's) is exactly as before after three steps."""
    args = (example_model(), torch.tensor([[1.0]]), torch.tensor([[2.0]]), nn.MSELoss(), 0.1)
    expect_inputs_unchanged(
        candidate, "anil_adapt", *args, steps=3, mistakes=mistakes, reference=solution
    )


def test_invalid_arguments_raise_value_error(candidate, mistakes):
    """steps = −1, a last module without parameters (ReLU), and a Sequential of one module
    each raise ValueError."""
    x, y, loss = torch.tensor([[1.0]]), torch.tensor([[3.0]]), nn.MSELoss()
    hint = mistakes.hint("no_validation")
    cases = [
        (lambda: candidate.anil_adapt(example_model(), x, y, loss, 0.1, steps=-1), "steps=-1"),
        (
            lambda: candidate.anil_adapt(
                nn.Sequential(nn.Linear(1, 1), nn.ReLU()), x, y, loss, 0.1
            ),
            "a head (ReLU) without parameters",
        ),
        (
            lambda: candidate.anil_adapt(nn.Sequential(nn.Linear(1, 1)), x, y, loss, 0.1),
            "a Sequential of one module",
        ),
    ]
    for call, what in cases:
        expect_raises(ValueError, call, name=what, hint=hint)
