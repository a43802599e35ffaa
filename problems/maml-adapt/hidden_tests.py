"""Hidden tests for maml-adapt: values, every clause of the contract, and second order
judged through gradients (a probe differentiates a query loss through the result)."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, points


def regression(seed, hidden=(8,), act=nn.Tanh, dtype=torch.float32, n=6, bias=True):
    """A small MLP and a support and a query set for a 2-D regression task."""
    torch.manual_seed(seed)
    sizes = [2, *hidden, 1]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=bias or i == len(sizes) - 2))
        if i < len(sizes) - 2:
            layers.append(act())
    model = nn.Sequential(*layers).to(dtype)
    x, y = torch.randn(n, 2, dtype=dtype), torch.randn(n, 1, dtype=dtype)
    x_q, y_q = torch.randn(n + 2, 2, dtype=dtype), torch.randn(n + 2, 1, dtype=dtype)
    return model, x, y, x_q, y_q


def classification(seed, n_classes=3):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, n_classes)
    )
    x, y = torch.randn(9, 4), torch.randint(0, n_classes, (9,))
    x_q, y_q = torch.randn(12, 4), torch.randint(0, n_classes, (12,))
    return model, x, y, x_q, y_q


def check_values(candidate, solution, mistakes, args, name, **kwargs):
    got = candidate.adapt(*args, **kwargs)
    want = solution.adapt(*args, **kwargs)
    expect_close(got, want, name=name, mistakes=mistakes.on(lambda m: m.adapt(*args, **kwargs)))


def check_query_grad(candidate, solution, mistakes, args, query, name, **kwargs):
    """Gradient of the query loss at the adapted parameters w.r.t. the model's parameters."""
    probe = Probe("query_grad", *query)
    got = candidate.run("adapt", *args, probe=probe, **kwargs).probe
    want = solution.run("adapt", *args, probe=probe, **kwargs).probe
    expect_close(
        got,
        want,
        name=name,
        mistakes=mistakes.on(lambda m: m.run("adapt", *args, probe=probe, **kwargs).probe),
    )


@points(8)
def test_one_step_values(candidate, solution, mistakes, seed):
    model, x, y, _, _ = regression(seed + 0)
    args = (model, x, y, nn.MSELoss(), 0.1)
    check_values(candidate, solution, mistakes, args, "adapted parameters (steps=1)", steps=1)


@points(8)
def test_several_steps_values(candidate, solution, mistakes, seed):
    model, x, y, _, _ = regression(seed + 1)
    args = (model, x, y, nn.MSELoss(), 0.2)
    check_values(candidate, solution, mistakes, args, "adapted parameters (steps=4)", steps=4)


@points(8)
def test_steps_zero_returns_the_parameters(candidate, solution, mistakes, seed):
    model, x, y, _, _ = regression(seed + 2)
    args = (model, x, y, nn.MSELoss(), 0.5)
    got = candidate.adapt(*args, steps=0)
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    expect_close(
        got, want, name="adapt(steps=0)", mistakes=mistakes.on(lambda m: m.adapt(*args, steps=0))
    )


@points(6)
def test_every_named_parameter_is_returned(candidate, solution, mistakes, seed):
    # Hidden layers without bias: the keys must follow model.named_parameters() exactly.
    model, x, y, _, _ = regression(seed + 3, hidden=(5, 4), bias=False)
    args = (model, x, y, nn.MSELoss(), 0.1)
    check_values(candidate, solution, mistakes, args, "adapted parameters", steps=2)


@points(10)
def test_model_is_not_changed(candidate, solution, mistakes, seed):
    model, x, y, _, _ = regression(seed + 4)
    before = {n: t.clone() for n, t in model.state_dict().items()}
    args = (model, x, y, nn.MSELoss(), 0.3)
    after = candidate.run("adapt", *args, steps=2).args[0]
    expect_close(
        after,
        before,
        name="the model's parameters after adapt",
        mistakes=mistakes.on(lambda m: m.run("adapt", *args, steps=2).args[0]),
    )


@points(12)
def test_second_order_gradient_one_step(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 5)
    loss = nn.MSELoss()
    check_query_grad(
        candidate,
        solution,
        mistakes,
        (model, x, y, loss, 0.4),
        (x_q, y_q, loss),
        "gradient of the query loss through adapt (second order, steps=1)",
        steps=1,
    )


@points(10)
def test_second_order_gradient_several_steps_deeper_net(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 6, hidden=(8, 8, 8))
    loss = nn.MSELoss()
    check_query_grad(
        candidate,
        solution,
        mistakes,
        (model, x, y, loss, 0.2),
        (x_q, y_q, loss),
        "gradient of the query loss through adapt (second order, steps=3)",
        steps=3,
    )


@points(8)
def test_first_order_gradient(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 7)
    loss = nn.MSELoss()
    check_query_grad(
        candidate,
        solution,
        mistakes,
        (model, x, y, loss, 0.4),
        (x_q, y_q, loss),
        "gradient of the query loss through adapt (first_order=True, steps=2)",
        steps=2,
        first_order=True,
    )


@points(6)
def test_first_order_values_and_gradient_on_classification(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = classification(seed + 8)
    loss = nn.CrossEntropyLoss()
    args = (model, x, y, loss, 0.3)
    check_values(
        candidate,
        solution,
        mistakes,
        args,
        "adapted parameters (first_order=True, steps=3)",
        steps=3,
        first_order=True,
    )
    check_query_grad(
        candidate,
        solution,
        mistakes,
        args,
        (x_q, y_q, loss),
        "gradient of the query loss through adapt (first_order=True, classification, steps=3)",
        steps=3,
        first_order=True,
    )


@points(10)
def test_classification_cross_entropy(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = classification(seed + 9)
    loss = nn.CrossEntropyLoss()
    args = (model, x, y, loss, 0.5)
    check_values(candidate, solution, mistakes, args, "adapted parameters (cross-entropy)", steps=2)
    check_query_grad(
        candidate,
        solution,
        mistakes,
        args,
        (x_q, y_q, loss),
        "gradient of the query cross-entropy through adapt (second order)",
        steps=2,
    )


@points(7)
def test_float64(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 10, hidden=(6, 6), act=nn.ReLU, dtype=torch.float64)
    loss = nn.MSELoss()
    args = (model, x, y, loss, 0.25)
    check_values(candidate, solution, mistakes, args, "adapted parameters (float64)", steps=2)
    check_query_grad(
        candidate,
        solution,
        mistakes,
        args,
        (x_q, y_q, loss),
        "gradient of the query loss through adapt (float64)",
        steps=2,
    )


@points(7)
def test_non_contiguous_inputs(candidate, solution, mistakes, seed):
    model, _, _, _, _ = regression(seed + 11)
    torch.manual_seed(seed + 11)
    x = torch.randn(2, 7).t()  # a transposed view: shape [7, 2], not contiguous
    y = torch.randn(1, 7).t()
    args = (model, x, y, nn.MSELoss(), 0.1)
    check_values(candidate, solution, mistakes, args, "adapted parameters (strided x, y)", steps=2)
