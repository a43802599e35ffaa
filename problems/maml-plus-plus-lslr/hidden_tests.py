"""Hidden tests for maml-plus-plus-lslr: values against the solution and against plain MAML
where they coincide, second-order gradients to the model and gradients to the per-step rates
(through the input_grads probe), float64, the model and the rates unchanged, and the
ValueError cases, each at least twice.

Inputs come from the per-grade ``seed``. Points follow the clause: the gradients (to the
model, second order, and to the rates) weigh most, the argument checks and the inputs left
alone least."""

import torch
from torch import nn
from torch.func import functional_call

from judge.testing import Probe, expect_close, expect_inputs_unchanged, expect_raises, points


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
def test_one_step_value(candidate, solution, mistakes, seed):
    args = args_of(regression(seed + 0), nn.MSELoss(), 1, seed + 0)
    check_value(candidate, solution, mistakes, args, "multi-step loss (K=1)")


@points(9)
def test_several_steps_cross_entropy_value(candidate, solution, mistakes, seed):
    args = args_of(classification(seed + 1), nn.CrossEntropyLoss(), 4, seed + 1)
    check_value(candidate, solution, mistakes, args, "multi-step loss (cross-entropy, K=4)")


@points(9)
def test_last_step_weight_and_equal_rates_is_maml(candidate, solution, mistakes, seed):
    for offset, steps in [(2, 2), (3, 3)]:
        model, x_s, y_s, x_q, y_q = regression(seed + offset)
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
def test_every_step_and_layer_has_its_own_rate(candidate, solution, mistakes, seed):
    case = regression(seed + 4, hidden=6)
    args = args_of(case, nn.MSELoss(), 3, seed + 4, weights=torch.tensor([1.0, 0.0, 0.0]))
    check_value(candidate, solution, mistakes, args, "multi-step loss, first step's weight only")
    args = args_of(case, nn.MSELoss(), 3, seed + 5, weights=torch.tensor([0.0, 0.0, 1.0]))
    check_value(candidate, solution, mistakes, args, "multi-step loss, last step's weight only")


@points(15)
def test_second_order_gradient_to_the_model(candidate, solution, mistakes, seed):
    args = args_of(regression(seed + 6), nn.MSELoss(), 2, seed + 6)
    check_grads(candidate, solution, mistakes, args, "d loss / d model parameters (K=2)", "0.")
    args = args_of(classification(seed + 7), nn.CrossEntropyLoss(), 3, seed + 7)
    check_grads(candidate, solution, mistakes, args, "d loss / d model parameters (CE, K=3)", "0.")


@points(15)
def test_gradient_to_the_rates(candidate, solution, mistakes, seed):
    args = args_of(regression(seed + 8), nn.MSELoss(), 3, seed + 8)
    check_grads(candidate, solution, mistakes, args, "d loss / d lrs (K=3)", "1.")
    args = args_of(classification(seed + 9), nn.CrossEntropyLoss(), 2, seed + 9)
    check_grads(candidate, solution, mistakes, args, "d loss / d lrs (CE, K=2)", "1.")


@points(12)
def test_float64(candidate, solution, mistakes, seed):
    args = args_of(regression(seed + 10, dtype=torch.float64), nn.MSELoss(), 3, seed + 10)
    check_value(candidate, solution, mistakes, args, "multi-step loss (float64)")
    check_grads(candidate, solution, mistakes, args, "gradients (float64)")


@points(5)
def test_model_and_rates_are_not_changed(candidate, mistakes, seed):
    args = args_of(regression(seed + 11), nn.MSELoss(), 2, seed + 11)
    expect_inputs_unchanged(candidate, "lslr_multi_step_loss", *args, mistakes=mistakes)


@points(5)
def test_model_and_rates_are_not_changed_on_classification(candidate, mistakes, seed):
    args = args_of(classification(seed + 12), nn.CrossEntropyLoss(), 3, seed + 12)
    expect_inputs_unchanged(candidate, "lslr_multi_step_loss", *args, mistakes=mistakes)


def check_raises(candidate, mistakes, case, loss, steps, seed):
    """Rates that do not match the model (missing, extra, wrong length, not 1-D) and step
    weights that are not a non-empty 1-D tensor (or of another length than the rates)."""
    model, lrs, x_s, y_s, x_q, y_q, _, w = args_of(case, loss, steps, seed)
    names = list(lrs)
    hint = mistakes.hint("no_validation")

    def call(rates=lrs, weights=w):
        return lambda: candidate.lslr_multi_step_loss(
            model, rates, x_s, y_s, x_q, y_q, loss, weights
        )

    cases = [
        (
            call(rates={k: v for k, v in lrs.items() if k != names[-1]}),
            f"lrs without {names[-1]!r}",
        ),
        (call(rates={**lrs, "9.weight": torch.ones(steps)}), "lrs with an extra key"),
        (
            call(rates={**lrs, names[0]: torch.ones(steps + 1)}),
            f"lrs[{names[0]!r}] of length K + 1",
        ),
        (call(rates={**lrs, names[1]: torch.ones(steps, 2)}), f"lrs[{names[1]!r}] of shape [K, 2]"),
        (call(weights=torch.ones(0)), "empty step_weights"),
        (call(weights=torch.ones(steps, 1)), "step_weights of shape [K, 1]"),
    ]
    for fn, what in cases:
        expect_raises(ValueError, fn, name=what, hint=hint)


@points(6)
def test_mismatched_arguments_raise_value_error(candidate, mistakes, seed):
    check_raises(candidate, mistakes, regression(seed + 13), nn.MSELoss(), 2, seed + 13)


@points(6)
def test_mismatched_arguments_raise_on_classification(candidate, mistakes, seed):
    check_raises(
        candidate, mistakes, classification(seed + 14), nn.CrossEntropyLoss(), 3, seed + 14
    )
