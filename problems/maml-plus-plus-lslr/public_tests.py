"""Public tests: one per clause of the prompt, on a one- or two-parameter model whose numbers
can be followed by hand (the hidden tests draw other inputs)."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, expect_inputs_unchanged, expect_raises


def hand_example():
    # f(x) = w x with w = 0; support (1, 1), query (2, 2); MSE; rates [0.25, 0.5]; weights
    # [0.5, 1]. Step 1: grad 2(w - 1) = -2, w1 = 0.5, query loss (2 * 0.5 - 2)^2 = 1.
    # Step 2: grad 2(0.5 - 1) = -1, w2 = 1.0, query loss 0. Total 0.5 * 1 + 1 * 0 = 0.5.
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    lrs = {"weight": torch.tensor([0.25, 0.5])}
    one, two = torch.tensor([[1.0]]), torch.tensor([[2.0]])
    return model, lrs, one, one, two, two, nn.MSELoss(), torch.tensor([0.5, 1.0])


def test_two_steps_by_hand(candidate, solution, mistakes):
    """Example. f(x) = w x with w = 0, support (1, 1), query (2, 2), MSE, rates [0.25, 0.5]
    and step weights [0.5, 1]. Step 1: the support gradient is 2(w − 1) = −2, so
    w₁ = 0 + 0.25·2 = 0.5 and the query loss is (2·0.5 − 2)² = 1. Step 2: the gradient is
    2(0.5 − 1) = −1, so w₂ = 0.5 + 0.5·1 = 1 and the query loss is 0. The multi-step loss is
    0.5·1 + 1·0 = 0.5.

    中文：f(x) = w x，w = 0，支持集 (1, 1)，查询集 (2, 2)，MSE，学习率 [0.25, 0.5]，步权重
    [0.5, 1]。第 1 步：支持集梯度为 2(w − 1) = −2，所以 w₁ = 0 + 0.25·2 = 0.5，查询损失为
    (2·0.5 − 2)² = 1。第 2 步：梯度为 2(0.5 − 1) = −1，所以 w₂ = 0.5 + 0.5·1 = 1，查询损失为 0。
    多步损失为 0.5·1 + 1·0 = 0.5。"""
    args = hand_example()
    got = candidate.lslr_multi_step_loss(*args)
    expect_close(
        got,
        torch.tensor(0.5),
        name="multi-step loss of the worked example",
        mistakes=mistakes.on(lambda m: m.lslr_multi_step_loss(*args)),
    )


def test_gradients_by_hand(candidate, solution, mistakes):
    """The example above, differentiated. The second step's query loss is 0 at a minimum, so
    it adds nothing and d/d r₂ = 0. The first: w₁ = w + 2r₁(1 − w) and the weighted loss is
    0.5·(2w₁ − 2)², so d/d r₁ = 0.5·2·(2w₁ − 2)·2·2(1 − w) = −4 and, through w₁'s slope
    1 − 2r₁ = 0.5 (kept only with the graph of the inner gradient: second order), d/dw = −1.
    The probe names the model's weight '0.weight' and the rates '1.weight'."""
    args = hand_example()
    probe = Probe("input_grads", 0, 1)
    got = candidate.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
    want = {"0.weight": torch.tensor([[-1.0]]), "1.weight": torch.tensor([-4.0, 0.0])}
    expect_close(
        got,
        want,
        name="gradients w.r.t. the weight (0.weight) and the rates (1.weight)",
        mistakes=mistakes.on(
            lambda m: m.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
        ),
    )


def two_tensors():
    """f(x) = w x + b with w = b = 0 (`nn.Linear(1, 1)`), support (1, 1), query (2, 2), MSE.
    The rates are listed bias first: they are matched by name, not by position."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    lrs = {"bias": torch.tensor([0.0, 0.25]), "weight": torch.tensor([0.25, 0.0])}
    one, two = torch.tensor([[1.0]]), torch.tensor([[2.0]])
    return model, lrs, one, one, two, two, nn.MSELoss(), torch.tensor([1.0, 1.0])


def test_each_tensor_and_step_has_its_own_rate(candidate, mistakes):
    """Example. f(x) = w x + b with w = b = 0, support (1, 1), query (2, 2), MSE, step weights
    [1, 1] and `lrs = {"bias": [0, 0.25], "weight": [0.25, 0]}`: in step 1 only the weight
    moves, in step 2 only the bias. Step 1: the support gradient is 2(w + b − 1) = −2 for
    both, so w₁ = 0.25·2 = 0.5, b₁ = 0, and the query loss is (2·0.5 − 2)² = 1. Step 2: the
    gradient is 2(0.5 − 1) = −1, so w₂ = 0.5, b₂ = 0.25·1 = 0.25, and the query loss is
    (2·0.5 + 0.25 − 2)² = 0.5625. The multi-step loss is 1 + 0.5625 = 1.5625. Using step 1's
    rates again in step 2 gives 1.25, matching the rates by position 3.25.

    中文：f(x) = w x + b，w = b = 0，支持集 (1, 1)，查询集 (2, 2)，MSE，步权重 [1, 1]，
    `lrs = {"bias": [0, 0.25], "weight": [0.25, 0]}`：第 1 步只有权重移动，第 2 步只有偏置移动。
    第 1 步：两者的支持集梯度都是 2(w + b − 1) = −2，所以 w₁ = 0.25·2 = 0.5，b₁ = 0，查询损失为
    (2·0.5 − 2)² = 1。第 2 步：梯度为 2(0.5 − 1) = −1，所以 w₂ = 0.5，b₂ = 0.25·1 = 0.25，查询
    损失为 (2·0.5 + 0.25 − 2)² = 0.5625。多步损失为 1 + 0.5625 = 1.5625。若第 2 步仍用第 1 步的
    学习率，得到 1.25；若按位置而不是按名字匹配学习率，得到 3.25。"""
    args = two_tensors()
    expect_close(
        candidate.lslr_multi_step_loss(*args),
        torch.tensor(1.5625),
        name="multi-step loss with a rate per tensor and per step",
        mistakes=mistakes.on(lambda m: m.lslr_multi_step_loss(*args)),
    )


def test_gradient_to_each_rate(candidate, mistakes):
    """The example above, differentiated with respect to the rates. A step-2 rate moves only
    the step-2 query loss, (2w₂ + b₂ − 2)², whose slope is 2·(−0.75)·2 = −3 in w₂ and
    2·(−0.75) = −1.5 in b₂; raising the rate by ε moves each parameter by ε·1 (minus the
    gradient −1), so d/d lrs["weight"][1] = −3 and d/d lrs["bias"][1] = −1.5. The step-1 rates
    reach both query losses, through step 2 as well: −12.5 for the weight's, −5.5 for the
    bias's (computed once, as the reference solution gives them)."""
    args = two_tensors()
    probe = Probe("input_grads", 1)
    got = candidate.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
    expect_close(
        got,
        {"1.bias": torch.tensor([-5.5, -1.5]), "1.weight": torch.tensor([-12.5, -3.0])},
        name="d loss / d lrs",
        mistakes=mistakes.on(
            lambda m: m.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
        ),
    )


def test_every_step_query_loss_is_weighted(candidate, mistakes):
    """The first example's query losses are 1 after step 1 and 0 after step 2, so step
    weights [1, 0] give 1, [0, 1] give 0 and [2, 3] give 2·1 + 3·0 = 2 (the query loss
    before any step, 4, never counts; the weights are not averaged away)."""
    model, lrs, x_s, y_s, x_q, y_q, loss, _ = hand_example()
    for weights, want in (([1.0, 0.0], 1.0), ([0.0, 1.0], 0.0), ([2.0, 3.0], 2.0)):
        args = (model, lrs, x_s, y_s, x_q, y_q, loss, torch.tensor(weights))
        expect_close(
            candidate.lslr_multi_step_loss(*args),
            torch.tensor(want),
            name=f"multi-step loss with step weights {weights}",
            mistakes=mistakes.on(lambda m, a=args: m.lslr_multi_step_loss(*a)),
        )


def test_model_and_rates_are_not_changed(candidate, solution, mistakes):
    """After the call the model's weight and bias are still 0 and the rates as given."""
    expect_inputs_unchanged(
        candidate, "lslr_multi_step_loss", *two_tensors(), mistakes=mistakes, reference=solution
    )


def test_mismatched_arguments_raise_value_error(candidate, mistakes):
    """ValueError for rates without 'bias', with an extra key, of length 3 for K = 2, of shape
    [2, 1]; and for step weights that are empty or of shape [2, 1]."""
    model, lrs, x_s, y_s, x_q, y_q, loss, weights = two_tensors()
    hint = mistakes.hint("no_validation")

    def call(rates=lrs, step_weights=weights):
        return lambda: candidate.lslr_multi_step_loss(
            model, rates, x_s, y_s, x_q, y_q, loss, step_weights
        )

    cases = [
        (call(rates={"weight": lrs["weight"]}), "lrs without 'bias'"),
        (call(rates={**lrs, "scale": torch.ones(2)}), "lrs with an extra key 'scale'"),
        (call(rates={**lrs, "weight": torch.ones(3)}), "lrs['weight'] of length 3 (K = 2)"),
        (call(rates={**lrs, "bias": torch.ones(2, 1)}), "lrs['bias'] of shape [2, 1]"),
        (call(step_weights=torch.ones(0)), "empty step_weights"),
        (call(step_weights=torch.ones(2, 1)), "step_weights of shape [2, 1]"),
    ]
    for fn, what in cases:
        expect_raises(ValueError, fn, name=what, hint=hint)
