"""Public tests: one per clause of the prompt, on one- and two-parameter models whose numbers
can be followed by hand, a small network and one too large for a dense Hessian (the hidden
tests draw other inputs)."""

import torch
from torch import nn

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_raises,
)


def one_parameter(cg_steps=1):
    """The prompt's example: f(x) = w x at the adapted w = 1, support x = [1, 2], query (1, 3),
    MSE, lam = 5."""
    return (
        nn.Linear(1, 1, bias=False),
        {"weight": torch.tensor([[1.0]])},
        torch.tensor([[1.0], [2.0]]),
        torch.tensor([[0.5], [-1.0]]),
        torch.tensor([[1.0]]),
        torch.tensor([[3.0]]),
        nn.MSELoss(),
        5.0,
        cg_steps,
    )


def test_one_parameter_by_hand(candidate, solution, mistakes):
    """Example. f(x) = w x with the adapted w = 1. Support inputs x = [1, 2]: the MSE's
    Hessian at the adapted w is 2·mean(x²) = 5, whatever the targets. Query (1, 3): the query
    gradient is g = 2·(1 − 3)·1 = −4. With λ = 5 the system is (1 + 5/5) v = −4, so v = −2; in
    one dimension a single CG step solves it exactly.

    中文：f(x) = w x，适应后的 w = 1。支持集输入 x = [1, 2]：MSE 在适应后的 w 处的 Hessian 为
    2·mean(x²) = 5，与目标值无关。查询集 (1, 3)：查询梯度 g = 2·(1 − 3)·1 = −4。λ = 5 时方程为
    (1 + 5/5) v = −4，所以 v = −2；一维时共轭梯度一步就能精确求解。"""
    args = one_parameter()
    got = candidate.imaml_meta_gradient(*args)
    expect_close(
        got,
        {"weight": torch.tensor([[-2.0]])},
        name="implicit meta-gradient of the worked example",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def test_small_network(candidate, solution, mistakes):
    """A Tanh network of 25 parameters: v after 4 CG steps equals the reference solution's."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
    adapted = {n: p.detach() + 0.1 * torch.randn_like(p) for n, p in model.named_parameters()}
    x_s, y_s, x_q, y_q = torch.randn(5, 2), torch.randn(5, 1), torch.randn(8, 2), torch.randn(8, 1)
    args = (model, adapted, x_s, y_s, x_q, y_q, nn.MSELoss(), 2.0, 4)
    expect_close(
        candidate.imaml_meta_gradient(*args),
        solution.imaml_meta_gradient(*args),
        name="implicit meta-gradient (lam=2, cg_steps=4)",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def line(dtype=torch.float32):
    """f(x) = w x + b at the adapted w = 1, b = 0 (`nn.Linear(1, 1)`); support inputs [0, 2],
    query (1, 2), MSE, lam = 2."""
    return (
        nn.Linear(1, 1).to(dtype),
        {"weight": torch.tensor([[1.0]], dtype=dtype), "bias": torch.tensor([0.0], dtype=dtype)},
        torch.tensor([[0.0], [2.0]], dtype=dtype),
        torch.tensor([[1.0], [-1.0]], dtype=dtype),
        torch.tensor([[1.0]], dtype=dtype),
        torch.tensor([[2.0]], dtype=dtype),
        nn.MSELoss(),
        2.0,
    )


def test_exactly_cg_steps_iterations_by_hand(candidate, mistakes):
    """Example. f(x) = w x + b at the adapted w = 1, b = 0; support inputs [0, 2], so the
    MSE's Hessian is 2·[[mean x², mean x], [mean x, 1]] = [[4, 2], [2, 2]]; query (1, 2), so
    g = 2·(1 − 2)·[x, 1] = [−2, −2]; lam = 2, so A = I + H/2 = [[3, 1], [1, 2]]. One CG step
    from v = 0: r = p = g, Ap = [−8, −6], α = r·r / p·Ap = 8/28 = 2/7, so v = 2/7·g =
    [−4/7, −4/7]. A second step solves the 2-D system exactly: v = A⁻¹g = [−0.4, −0.8].
    cg_steps fixes the number of iterations: one step must give [−4/7, −4/7], not the exact
    solution.

    中文：f(x) = w x + b，适应后的 w = 1、b = 0；支持集输入 [0, 2]，所以 MSE 的 Hessian 为
    2·[[mean x², mean x], [mean x, 1]] = [[4, 2], [2, 2]]；查询集 (1, 2)，所以
    g = 2·(1 − 2)·[x, 1] = [−2, −2]；lam = 2，所以 A = I + H/2 = [[3, 1], [1, 2]]。从 v = 0 出发
    走一步共轭梯度：r = p = g，Ap = [−8, −6]，α = r·r / p·Ap = 8/28 = 2/7，所以 v = 2/7·g =
    [−4/7, −4/7]。第二步精确解出这个二维方程组：v = A⁻¹g = [−0.4, −0.8]。`cg_steps` 规定了迭代
    次数：走一步必须得到 [−4/7, −4/7]，而不是精确解。"""
    for steps, (w, b) in ((1, (-4 / 7, -4 / 7)), (2, (-0.4, -0.8))):
        args = (*line(), steps)
        expect_close(
            candidate.imaml_meta_gradient(*args),
            {"weight": torch.tensor([[w]]), "bias": torch.tensor([b])},
            name=f"v after {steps} CG step{'s' if steps > 1 else ''}",
            mistakes=mistakes.on(lambda m, a=args: m.imaml_meta_gradient(*a)),
        )


def test_hessian_of_the_support_loss_at_adapted(candidate, mistakes):
    """Example. f(x) = c·(a·x): two `Linear(1, 1, bias=False)` layers, the model's own
    a = 2, c = 0.5 (θ, not used), adapted a = c = 1 (φ). Support (1, 0): the loss (ca)² has
    the Hessian [[2c², 4ca], [4ca, 2a²]] = [[2, 4], [4, 2]] at φ. Query (1, 2): g =
    2(ca − 2)·[c, a] = [−2, −2]. With lam = 4, A = I + H/4 = [[1.5, 1], [1, 1.5]], and g is
    an eigenvector of A with eigenvalue 2.5, so one CG step gives v = g / 2.5 = [−0.8, −0.8].
    The Hessian at θ, the query loss's Hessian, (I + λH) or (H + λI) all give other values.

    中文：f(x) = c·(a·x)：两个 `Linear(1, 1, bias=False)` 层，模型自己的 a = 2、c = 0.5（θ，
    不使用），适应后的 a = c = 1（φ）。支持集 (1, 0)：损失 (ca)² 在 φ 处的 Hessian 为
    [[2c², 4ca], [4ca, 2a²]] = [[2, 4], [4, 2]]。查询集 (1, 2)：g = 2(ca − 2)·[c, a] = [−2, −2]。
    lam = 4 时 A = I + H/4 = [[1.5, 1], [1, 1.5]]，g 是 A 的特征向量，特征值为 2.5，所以共轭梯度
    一步得到 v = g / 2.5 = [−0.8, −0.8]。用 θ 处的 Hessian、查询损失的 Hessian、(I + λH) 或
    (H + λI) 都会得到别的值。"""
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[1].weight.fill_(0.5)
    adapted = {"0.weight": torch.tensor([[1.0]]), "1.weight": torch.tensor([[1.0]])}
    one = torch.tensor([[1.0]])
    args = (model, adapted, one, torch.tensor([[0.0]]), one, torch.tensor([[2.0]]))
    args = (*args, nn.MSELoss(), 4.0, 1)
    expect_close(
        candidate.imaml_meta_gradient(*args),
        {"0.weight": torch.tensor([[-0.8]]), "1.weight": torch.tensor([[-0.8]])},
        name="v (support Hessian at the adapted parameters)",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def test_stops_when_the_residual_is_exactly_zero(candidate, mistakes):
    """The one-parameter example with cg_steps = 5: the first step leaves the residual
    exactly 0 (α = 16/32 = 0.5, r = −4 − 0.5·(−8) = 0), so CG stops there with v = −2
    rather than dividing 0 by 0 in the next step."""
    args = one_parameter(cg_steps=5)
    expect_close(
        candidate.imaml_meta_gradient(*args),
        {"weight": torch.tensor([[-2.0]])},
        name="v with cg_steps = 5 on a 1-D system",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def test_keys_shapes_dtype_and_no_gradient(candidate, mistakes):
    """The two-parameter line in float64: v has the keys 'weight' and 'bias' in the model's
    order, shapes [1, 1] and [1], dtype float64, the values [−0.4, −0.8] after two steps, and
    carries no autograd history."""
    args = (*line(torch.float64), 2)
    outcome = candidate.run("imaml_meta_gradient", *args, probe=Probe("result_grads"))
    expect_close(
        outcome.value,
        {
            "weight": torch.tensor([[-0.4]], dtype=torch.float64),
            "bias": torch.tensor([-0.8], dtype=torch.float64),
        },
        name="v (float64)",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )
    expect(
        list(outcome.value) == ["weight", "bias"],
        f"v's keys are {list(outcome.value)}, want ['weight', 'bias'] (the model's order)",
    )
    kept = outcome.probe["requires_grad"]
    expect(kept == [], f"{', '.join(kept)} still require grad: return plain (detached) tensors")


def test_large_model_never_forms_the_hessian(candidate, solution, mistakes):
    """An MLP 2 → 160 → 160 → 1 in float64 has 26,401 parameters: its dense Hessian would take
    5.6 GB, over the 1 GB limit. Hessian-vector products need a few copies of the parameters;
    v after 3 CG steps equals the reference solution's."""
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Linear(2, 160), nn.Tanh(), nn.Linear(160, 160), nn.Tanh(), nn.Linear(160, 1)
    ).double()
    adapted = {n: p.detach() + 0.01 * torch.randn_like(p) for n, p in model.named_parameters()}
    x_s, y_s = torch.randn(12, 2, dtype=torch.float64), torch.randn(12, 1, dtype=torch.float64)
    x_q, y_q = torch.randn(20, 2, dtype=torch.float64), torch.randn(20, 1, dtype=torch.float64)
    args = (model, adapted, x_s, y_s, x_q, y_q, nn.MSELoss(), 1.0, 3)
    expect_close(
        candidate.imaml_meta_gradient(*args),
        solution.imaml_meta_gradient(*args),
        name="v for a 26,401-parameter MLP",
        mistakes=mistakes.on(lambda m: m.imaml_meta_gradient(*args)),
    )


def test_model_and_adapted_are_not_changed(candidate, solution, mistakes):
    """After the call the model and the adapted w = 1, b = 0 are as they were."""
    expect_inputs_unchanged(
        candidate, "imaml_meta_gradient", *line(), 2, mistakes=mistakes, reference=solution
    )


def test_bad_arguments_raise_value_error(candidate, mistakes):
    """ValueError for lam = 0, lam = −1, cg_steps = 0, adapted without 'bias', with an extra
    entry, or with a weight of shape [1] instead of [1, 1]."""
    model, adapted, *rest, _ = line()
    hint = mistakes.hint("no_validation")

    def call(lam=2.0, steps=2, given=adapted):
        return lambda: candidate.imaml_meta_gradient(model, given, *rest, lam, steps)

    cases = [
        (call(lam=0.0), "lam = 0"),
        (call(lam=-1.0), "lam = -1"),
        (call(steps=0), "cg_steps = 0"),
        (call(given={"weight": adapted["weight"]}), "adapted without 'bias'"),
        (call(given={**adapted, "scale": torch.ones(1)}), "adapted with an extra entry 'scale'"),
        (call(given={**adapted, "weight": torch.ones(1)}), "adapted['weight'] of shape [1]"),
    ]
    for fn, what in cases:
        expect_raises(ValueError, fn, name=what, hint=hint)
