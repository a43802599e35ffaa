"""Hidden tests for anil-adapt: values, the body left alone, every name returned, the model
unchanged, second-order and first-order meta-gradients through a query-loss probe (to the
body and to the head), float64 and the ValueError cases, each at least twice."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, expect_raises, points


def regression(seed, hidden=(8,), act=nn.Tanh, dtype=torch.float32, n=6, bias=True):
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


def classification(seed, ways=4):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 12), nn.Tanh(), nn.Linear(12, ways)
    )
    x, y = torch.randn(2 * ways, 5), torch.arange(2 * ways) % ways
    x_q, y_q = torch.randn(3 * ways, 5), torch.arange(3 * ways) % ways
    return model, x, y, x_q, y_q


def check_values(candidate, solution, mistakes, args, name, **kwargs):
    got = candidate.anil_adapt(*args, **kwargs)
    want = solution.anil_adapt(*args, **kwargs)
    expect_close(
        got, want, name=name, mistakes=mistakes.on(lambda m: m.anil_adapt(*args, **kwargs))
    )


def check_query_grad(candidate, solution, mistakes, args, query, name, **kwargs):
    probe = Probe("query_grad", *query)
    got = candidate.run("anil_adapt", *args, probe=probe, **kwargs).probe
    want = solution.run("anil_adapt", *args, probe=probe, **kwargs).probe
    expect_close(
        got,
        want,
        name=name,
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, probe=probe, **kwargs).probe),
    )


def check_unchanged(candidate, mistakes, args, **kwargs):
    before = {n: t.clone() for n, t in args[0].state_dict().items()}
    after = candidate.run("anil_adapt", *args, **kwargs).args[0]
    expect_close(
        after,
        before,
        rtol=0,
        atol=0,
        name="the model's parameters after anil_adapt",
        mistakes=mistakes.on(lambda m: m.run("anil_adapt", *args, **kwargs).args[0]),
    )


@points(8)
def test_one_step_values(candidate, solution, mistakes):
    model, x, y, _, _ = regression(0)
    check_values(
        candidate, solution, mistakes, (model, x, y, nn.MSELoss(), 0.1), "adapted (steps=1)"
    )


@points(11)
def test_several_steps_cross_entropy(candidate, solution, mistakes):
    model, x, y, _, _ = classification(1)
    args = (model, x, y, nn.CrossEntropyLoss(), 0.5)
    check_values(candidate, solution, mistakes, args, "adapted (cross-entropy, steps=5)", steps=5)


@points(9)
def test_steps_zero_returns_the_parameters(candidate, solution, mistakes):
    for seed in (2, 3):
        model, x, y, _, _ = regression(seed)
        want = {n: p.detach().clone() for n, p in model.named_parameters()}
        got = candidate.anil_adapt(model, x, y, nn.MSELoss(), 0.5, steps=0)
        expect_close(
            got,
            want,
            name="anil_adapt(steps=0)",
            mistakes=mistakes.on(
                lambda m, a=(model, x, y): m.anil_adapt(*a, nn.MSELoss(), 0.5, steps=0)
            ),
        )


@points(10)
def test_body_is_not_adapted_and_every_name_returned(candidate, solution, mistakes):
    # Hidden layers without bias: the keys must follow model.named_parameters() exactly.
    model, x, y, _, _ = regression(4, hidden=(5, 4), bias=False)
    args = (model, x, y, nn.MSELoss(), 0.2)
    got = candidate.anil_adapt(*args, steps=3)
    body = {n: p.detach() for n, p in model.named_parameters() if not n.startswith("4.")}
    expect_close(
        {n: got[n] for n in body if n in got},
        body,
        name="the body's entries of the result",
        mistakes=mistakes.on(lambda m: {n: m.anil_adapt(*args, steps=3).get(n) for n in body}),
    )
    check_values(candidate, solution, mistakes, args, "adapted (no-bias body, steps=3)", steps=3)


@points(10)
def test_model_is_not_changed(candidate, solution, mistakes):
    model, x, y, _, _ = regression(5)
    check_unchanged(candidate, mistakes, (model, x, y, nn.MSELoss(), 0.3), steps=2)
    model, x, y, _, _ = classification(6)
    check_unchanged(candidate, mistakes, (model, x, y, nn.CrossEntropyLoss(), 0.3), steps=1)


@points(12)
def test_second_order_gradient_one_step(candidate, solution, mistakes):
    model, x, y, x_q, y_q = regression(7)
    loss = nn.MSELoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.4), (x_q, y_q, loss),
        "gradient of the query loss through anil_adapt (second order, steps=1)", steps=1,
    )  # fmt: skip


@points(12)
def test_second_order_gradient_deeper_body_cross_entropy(candidate, solution, mistakes):
    model, x, y, x_q, y_q = classification(8)
    loss = nn.CrossEntropyLoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.5), (x_q, y_q, loss),
        "gradient of the query cross-entropy through anil_adapt (second order, steps=3)", steps=3,
    )  # fmt: skip


@points(10)
def test_first_order_gradient_and_values(candidate, solution, mistakes):
    model, x, y, x_q, y_q = regression(9)
    loss = nn.MSELoss()
    args = (model, x, y, loss, 0.4)
    check_values(
        candidate, solution, mistakes, args, "adapted (first_order=True)", steps=2, first_order=True
    )
    check_query_grad(
        candidate, solution, mistakes, args, (x_q, y_q, loss),
        "gradient of the query loss through anil_adapt (first_order=True, steps=2)",
        steps=2, first_order=True,
    )  # fmt: skip
    model, x, y, x_q, y_q = classification(10)
    loss = nn.CrossEntropyLoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.5), (x_q, y_q, loss),
        "gradient of the query cross-entropy (first_order=True, steps=3)",
        steps=3, first_order=True,
    )  # fmt: skip


@points(10)
def test_float64(candidate, solution, mistakes):
    model, x, y, x_q, y_q = regression(11, hidden=(6, 6), act=nn.ReLU, dtype=torch.float64)
    loss = nn.MSELoss()
    args = (model, x, y, loss, 0.25)
    check_values(candidate, solution, mistakes, args, "adapted (float64)", steps=2)
    check_query_grad(
        candidate, solution, mistakes, args, (x_q, y_q, loss),
        "gradient of the query loss through anil_adapt (float64)", steps=2,
    )  # fmt: skip


@points(8)
def test_invalid_arguments_raise_value_error(candidate, solution, mistakes):
    model, x, y, _, _ = regression(12)
    expect_raises(
        ValueError, lambda: candidate.anil_adapt(model, x, y, nn.MSELoss(), 0.1, steps=-1)
    )
    no_head = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    expect_raises(ValueError, lambda: candidate.anil_adapt(no_head, x, y, nn.MSELoss(), 0.1))
    single = nn.Sequential(nn.Linear(2, 1))
    expect_raises(ValueError, lambda: candidate.anil_adapt(single, x, y, nn.MSELoss(), 0.1))
    expect_raises(
        ValueError, lambda: candidate.anil_adapt(nn.Linear(2, 1), x, y, nn.MSELoss(), 0.1)
    )
    model, x, y, _, _ = classification(13)
    loss = nn.CrossEntropyLoss()
    expect_raises(ValueError, lambda: candidate.anil_adapt(model, x, y, loss, 0.1, steps=-3))
    tail = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh())
    expect_raises(ValueError, lambda: candidate.anil_adapt(tail, x, y, loss, 0.1))
