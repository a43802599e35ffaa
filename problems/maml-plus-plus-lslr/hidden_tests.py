"""Hidden tests for maml-plus-plus-lslr: values against the solution and against plain MAML
where they coincide, second-order gradients to the model and gradients to the per-step rates
(through the input_grads probe), float64, the model and the rates unchanged, and the
ValueError cases, each at least twice."""

import torch
from torch import nn
from torch.func import functional_call

from judge.testing import Probe, expect_close, expect_raises, points


def regression(seed, hidden=8, dtype=torch.float32, n=6):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1)).to(dtype)
    data = [torch.randn(n + 2 * (i // 2), 2 if i % 2 == 0 else 1, dtype=dtype) for i in range(4)]
    return model, *data


def classification(seed, ways=3):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, ways)
    )
    x_s, y_s = torch.randn(2 * ways, 4), torch.arange(2 * ways) % ways
    x_q, y_q = torch.randn(4 * ways, 4), torch.arange(4 * ways) % ways
    return model, x_s, y_s, x_q, y_q


def rates(model, steps, seed, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return {
        n: (0.05 + 0.3 * torch.rand(steps, generator=g)).to(dtype)
        for n, _ in model.named_parameters()
    }


def args_of(case, loss_fn, steps, seed, weights=None):
    model, x_s, y_s, x_q, y_q = case
    dtype = x_s.dtype
    w = torch.linspace(0.2, 1.0, steps, dtype=dtype) if weights is None else weights
    return (model, rates(model, steps, seed, dtype), x_s, y_s, x_q, y_q, loss_fn, w)


def check_value(candidate, solution, mistakes, args, name):
    got = candidate.lslr_multi_step_loss(*args)
    expect_close(
        got,
        solution.lslr_multi_step_loss(*args),
        name=name,
        mistakes=mistakes.on(lambda m: m.lslr_multi_step_loss(*args)),
    )


def check_grads(candidate, solution, mistakes, args, name, keep=None):
    probe = Probe("input_grads", 0, 1)

    def grads(runner):
        found = runner.run("lslr_multi_step_loss", *args, probe=probe).probe["grads"]
        return {k: v for k, v in found.items() if keep is None or k.startswith(keep)}

    expect_close(grads(candidate), grads(solution), name=name, mistakes=mistakes.on(grads))


def maml_query_loss(model, lr, x_s, y_s, x_q, y_q, loss_fn, steps):
    """Plain MAML with one constant rate: the query loss after the last step."""
    params = dict(model.named_parameters())
    for _ in range(steps):
        loss = loss_fn(functional_call(model, params, (x_s,)), y_s)
        grads = torch.autograd.grad(loss, list(params.values()))
        params = {n: p - lr * g for (n, p), g in zip(params.items(), grads, strict=True)}
    with torch.no_grad():
        return loss_fn(functional_call(model, params, (x_q,)), y_q)


@points(8)
def test_one_step_value(candidate, solution, mistakes):
    args = args_of(regression(0), nn.MSELoss(), 1, 0)
    check_value(candidate, solution, mistakes, args, "multi-step loss (K=1)")


@points(10)
def test_several_steps_cross_entropy_value(candidate, solution, mistakes):
    args = args_of(classification(1), nn.CrossEntropyLoss(), 4, 1)
    check_value(candidate, solution, mistakes, args, "multi-step loss (cross-entropy, K=4)")


@points(10)
def test_last_step_weight_and_equal_rates_is_maml(candidate, solution, mistakes):
    for seed, steps in [(2, 2), (3, 3)]:
        model, x_s, y_s, x_q, y_q = regression(seed)
        loss = nn.MSELoss()
        lrs = {n: torch.full((steps,), 0.1) for n, _ in model.named_parameters()}
        w = torch.zeros(steps)
        w[-1] = 1.0
        args = (model, lrs, x_s, y_s, x_q, y_q, loss, w)
        got = candidate.lslr_multi_step_loss(*args)
        expect_close(
            got,
            maml_query_loss(model, 0.1, x_s, y_s, x_q, y_q, loss, steps),
            name=f"weights (0, .., 0, 1) and one rate: MAML's query loss after {steps} steps",
            mistakes=mistakes.on(lambda m, a=args: m.lslr_multi_step_loss(*a)),
        )


@points(10)
def test_every_step_and_layer_has_its_own_rate(candidate, solution, mistakes):
    case = regression(4, hidden=6)
    args = args_of(case, nn.MSELoss(), 3, 4, weights=torch.tensor([1.0, 0.0, 0.0]))
    check_value(candidate, solution, mistakes, args, "multi-step loss, first step's weight only")
    args = args_of(case, nn.MSELoss(), 3, 5, weights=torch.tensor([0.0, 0.0, 1.0]))
    check_value(candidate, solution, mistakes, args, "multi-step loss, last step's weight only")


@points(12)
def test_second_order_gradient_to_the_model(candidate, solution, mistakes):
    args = args_of(regression(6), nn.MSELoss(), 2, 6)
    check_grads(candidate, solution, mistakes, args, "d loss / d model parameters (K=2)", "0.")
    args = args_of(classification(7), nn.CrossEntropyLoss(), 3, 7)
    check_grads(candidate, solution, mistakes, args, "d loss / d model parameters (CE, K=3)", "0.")


@points(12)
def test_gradient_to_the_rates(candidate, solution, mistakes):
    args = args_of(regression(8), nn.MSELoss(), 3, 8)
    check_grads(candidate, solution, mistakes, args, "d loss / d lrs (K=3)", "1.")
    args = args_of(classification(9), nn.CrossEntropyLoss(), 2, 9)
    check_grads(candidate, solution, mistakes, args, "d loss / d lrs (CE, K=2)", "1.")


@points(10)
def test_float64(candidate, solution, mistakes):
    args = args_of(regression(10, dtype=torch.float64), nn.MSELoss(), 3, 10)
    check_value(candidate, solution, mistakes, args, "multi-step loss (float64)")
    check_grads(candidate, solution, mistakes, args, "gradients (float64)")


@points(10)
def test_model_and_rates_are_not_changed(candidate, solution, mistakes):
    for case, loss in [(regression(11), nn.MSELoss()), (classification(12), nn.CrossEntropyLoss())]:
        args = args_of(case, loss, 2, 11)
        before = [
            {n: t.clone() for n, t in args[0].state_dict().items()},
            {n: t.clone() for n, t in args[1].items()},
        ]
        after = candidate.run("lslr_multi_step_loss", *args).args
        expect_close(
            after[:2],
            before,
            rtol=0,
            atol=0,
            name="the model and lrs after the call",
            mistakes=mistakes.on(lambda m, a=args: m.run("lslr_multi_step_loss", *a).args[:2]),
        )


@points(9)
def test_mismatched_rates_raise_value_error(candidate, solution, mistakes):
    model, lrs, *rest = args_of(regression(13), nn.MSELoss(), 2, 13)
    missing = dict(lrs)
    missing.pop("2.bias")
    expect_raises(ValueError, lambda: candidate.lslr_multi_step_loss(model, missing, *rest))
    extra = {**lrs, "3.weight": torch.ones(2)}
    expect_raises(ValueError, lambda: candidate.lslr_multi_step_loss(model, extra, *rest))
    short = {**lrs, "0.weight": torch.ones(1)}
    expect_raises(ValueError, lambda: candidate.lslr_multi_step_loss(model, short, *rest))
    per_entry = {**lrs, "0.bias": torch.ones(2, 8)}
    expect_raises(ValueError, lambda: candidate.lslr_multi_step_loss(model, per_entry, *rest))


@points(9)
def test_bad_step_weights_raise_value_error(candidate, solution, mistakes):
    model, lrs, x_s, y_s, x_q, y_q, loss, _ = args_of(regression(14), nn.MSELoss(), 2, 14)
    for w in (torch.ones(0), torch.ones(2, 1), torch.ones(3)):
        expect_raises(
            ValueError,
            lambda w=w: candidate.lslr_multi_step_loss(model, lrs, x_s, y_s, x_q, y_q, loss, w),
        )
