"""Hidden tests for anil-adapt: the head's values, the body's entries and every name, the
model unchanged, second-order and first-order meta-gradients through a query-loss probe (to
the body and to the head), the features computed once, float64 and the ValueError cases,
each clause on at least two inputs.

Inputs come from the per-grade ``seed``. Points follow the clause a test checks: the value
tests compare the head's entries and the gradient tests the query loss and its gradient, so
a slip in the body's entries costs the two tests about them, not every test; the
second-order gradient weighs most."""

import copy

import torch
from torch import nn

from judge.testing import (
    Probe,
    TestFailed,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


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


def head_of(model, result):
    """The head's entries of a result (so that a slip in the body's entries costs the tests
    about them, not every value test)."""
    if not isinstance(result, dict):
        return result
    prefix = f"{len(model) - 1}."
    return {k: v for k, v in result.items() if isinstance(k, str) and k.startswith(prefix)}


def check_values(candidate, solution, mistakes, args, name, **kwargs):
    model = args[0]
    got = head_of(model, candidate.anil_adapt(*args, **kwargs))
    want = head_of(model, solution.anil_adapt(*args, **kwargs))
    expect_close(
        got,
        want,
        name=f"{name}: the head's entries",
        mistakes=mistakes.on(lambda m: head_of(model, m.anil_adapt(*args, **kwargs))),
    )


def check_whole(candidate, solution, mistakes, args, name, **kwargs):
    got = candidate.anil_adapt(*args, **kwargs)
    want = solution.anil_adapt(*args, **kwargs)
    expect_close(
        got, want, name=name, mistakes=mistakes.on(lambda m: m.anil_adapt(*args, **kwargs))
    )
    return got


def loss_and_grads(outcome):
    probe = outcome.probe
    return {k: probe[k] for k in ("loss", "grads")} if isinstance(probe, dict) else probe


def check_query_grad(candidate, solution, mistakes, args, query, name, **kwargs):
    probe = Probe("query_grad", *query)
    got = loss_and_grads(candidate.run("anil_adapt", *args, probe=probe, **kwargs))
    want = loss_and_grads(solution.run("anil_adapt", *args, probe=probe, **kwargs))
    expect_close(
        got,
        want,
        name=name,
        mistakes=mistakes.on(
            lambda m: loss_and_grads(m.run("anil_adapt", *args, probe=probe, **kwargs))
        ),
    )


@points(7)
def test_one_step_values(candidate, solution, mistakes, seed):
    model, x, y, _, _ = regression(seed + 0)
    check_values(
        candidate, solution, mistakes, (model, x, y, nn.MSELoss(), 0.1), "adapted (steps=1)"
    )


@points(7)
def test_several_steps_cross_entropy(candidate, solution, mistakes, seed):
    model, x, y, _, _ = classification(seed + 1)
    args = (model, x, y, nn.CrossEntropyLoss(), 0.5)
    check_values(candidate, solution, mistakes, args, "adapted (cross-entropy, steps=5)", steps=5)


def check_steps_zero(candidate, mistakes, model, x, y, loss):
    want = {n: p.detach().clone() for n, p in model.named_parameters()}
    got = candidate.anil_adapt(model, x, y, loss, 0.5, steps=0)
    expect_close(
        got,
        want,
        name="anil_adapt(steps=0)",
        mistakes=mistakes.on(lambda m: m.anil_adapt(model, x, y, loss, 0.5, steps=0)),
    )


@points(3)
def test_steps_zero_returns_the_parameters(candidate, mistakes, seed):
    model, x, y, _, _ = regression(seed + 2)
    check_steps_zero(candidate, mistakes, model, x, y, nn.MSELoss())


@points(3)
def test_steps_zero_on_classification(candidate, mistakes, seed):
    model, x, y, _, _ = classification(seed + 3)
    check_steps_zero(candidate, mistakes, model, x, y, nn.CrossEntropyLoss())


@points(4)
def test_body_is_not_adapted_and_every_name_returned(candidate, solution, mistakes, seed):
    # Hidden layers without bias: the keys must follow model.named_parameters() exactly.
    model, x, y, _, _ = regression(seed + 4, hidden=(5, 4), bias=False)
    args = (model, x, y, nn.MSELoss(), 0.2)
    check_whole(candidate, solution, mistakes, args, "adapted (no-bias body, steps=3)", steps=3)


@points(4)
def test_every_name_in_order_on_classification(candidate, solution, mistakes, seed):
    model, x, y, _, _ = classification(seed + 5)
    args = (model, x, y, nn.CrossEntropyLoss(), 0.3)
    got = check_whole(candidate, solution, mistakes, args, "adapted (cross-entropy)", steps=2)
    names = [n for n, _ in model.named_parameters()]
    expect(list(got) == names, f"the result's names are {list(got)}, want {names} in that order")


@points(5)
def test_model_is_not_changed(candidate, mistakes, seed):
    model, x, y, _, _ = regression(seed + 6)
    expect_inputs_unchanged(
        candidate, "anil_adapt", model, x, y, nn.MSELoss(), 0.3, steps=2, mistakes=mistakes
    )


@points(5)
def test_model_is_not_changed_on_classification(candidate, mistakes, seed):
    model, x, y, _, _ = classification(seed + 7)
    expect_inputs_unchanged(
        candidate, "anil_adapt", model, x, y, nn.CrossEntropyLoss(), 0.3, mistakes=mistakes
    )


@points(13)
def test_second_order_gradient_one_step(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 8)
    loss = nn.MSELoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.4), (x_q, y_q, loss),
        "query loss and gradient through anil_adapt (second order, steps=1)", steps=1,
    )  # fmt: skip


@points(13)
def test_second_order_gradient_deeper_body_cross_entropy(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = classification(seed + 9)
    loss = nn.CrossEntropyLoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.5), (x_q, y_q, loss),
        "query cross-entropy and gradient through anil_adapt (second order, steps=3)", steps=3,
    )  # fmt: skip


@points(7)
def test_float64(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 10, hidden=(6, 6), act=nn.ReLU, dtype=torch.float64)
    loss = nn.MSELoss()
    args = (model, x, y, loss, 0.25)
    check_values(candidate, solution, mistakes, args, "adapted (float64)", steps=2)
    check_query_grad(
        candidate, solution, mistakes, args, (x_q, y_q, loss),
        "query loss and gradient through anil_adapt (float64)", steps=2,
    )  # fmt: skip


@points(8)
def test_first_order_gradient_and_values(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = regression(seed + 11)
    loss = nn.MSELoss()
    args = (model, x, y, loss, 0.4)
    check_values(
        candidate, solution, mistakes, args, "adapted (first_order=True)", steps=2, first_order=True
    )
    check_query_grad(
        candidate, solution, mistakes, args, (x_q, y_q, loss),
        "query loss and gradient through anil_adapt (first_order=True, steps=2)",
        steps=2, first_order=True,
    )  # fmt: skip


@points(7)
def test_first_order_gradient_cross_entropy(candidate, solution, mistakes, seed):
    model, x, y, x_q, y_q = classification(seed + 12)
    loss = nn.CrossEntropyLoss()
    check_query_grad(
        candidate, solution, mistakes, (model, x, y, loss, 0.5), (x_q, y_q, loss),
        "query cross-entropy and gradient through anil_adapt (first_order=True, steps=3)",
        steps=3, first_order=True,
    )  # fmt: skip


# -- the features are computed once --------------------------------------------------------
# A body ending in Dropout (in training mode) draws a fresh mask each time it runs. With one
# support example, every inner step moves the head's weight along the same feature vector
# h = body(x), so the weight's change is zero exactly where the mask dropped a feature and,
# elsewhere, one common multiple of the undropped features. The test reads the mask off the
# result and recomputes the adaptation from those features: values the parent checks itself,
# whatever the child's random state. Features computed in every step mix several masks.
P_DROP = 0.5


def dropout_task(seed, outputs, dtype=torch.float64):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(3, 16), nn.Tanh(), nn.Dropout(P_DROP), nn.Linear(16, outputs)
    ).to(dtype)
    x = torch.randn(1, 3, dtype=dtype)
    if outputs == 1:
        return model, x, torch.randn(1, 1, dtype=dtype), nn.MSELoss()
    return model, x, torch.randint(0, outputs, (1,)), nn.CrossEntropyLoss()


def check_features_once(candidate, solution, mistakes, model, x, y, loss, steps):
    got = candidate.anil_adapt(model, x, y, loss, 0.3, steps=steps)
    expect(isinstance(got, dict) and "3.weight" in got, "the result has no entry '3.weight'")
    body = copy.deepcopy(model[:-1]).eval()
    with torch.no_grad():
        h0 = body(x)[0]  # the undropped features (tanh: no exact zeros)
    moved = got["3.weight"] - model[-1].weight.detach()  # [outputs, 16]
    kept = (moved != 0).any(dim=0)
    # Adapt a copy of the head on the features with that one mask: Identity as the body.
    features = (h0 * kept / (1 - P_DROP)).unsqueeze(0)
    alone = nn.Sequential(nn.Identity(), copy.deepcopy(model[-1]))
    want = solution.anil_adapt(alone, features, y, loss, 0.3, steps=steps)
    ratios = moved[:, kept] / h0[kept]  # one column per kept feature: all equal when once
    several = bool(kept.any()) and not torch.allclose(
        ratios, ratios[:, :1].expand_as(ratios), rtol=1e-6, atol=1e-12
    )
    hint = mistakes.hint("features_every_step") if several else None
    for key in ("weight", "bias"):
        got_key = got.get(f"3.{key}")
        expect(got_key is not None, f"the result has no entry '3.{key}'")
        try:
            expect_close(got_key, want[f"1.{key}"], name=f"the head's {key} (dropout in the body)")
        except TestFailed as failure:
            raise TestFailed(
                f"{failure.message}: the head's update is not explained by one draw of the "
                "body's features (one dropout mask)",
                hint,
            ) from None


@points(4)
def test_features_computed_once(candidate, solution, mistakes, seed):
    model, x, y, loss = dropout_task(seed + 13, outputs=1)
    check_features_once(candidate, solution, mistakes, model, x, y, loss, steps=3)


@points(4)
def test_features_computed_once_cross_entropy(candidate, solution, mistakes, seed):
    model, x, y, loss = dropout_task(seed + 14, outputs=3)
    check_features_once(candidate, solution, mistakes, model, x, y, loss, steps=2)


# -- ValueError ------------------------------------------------------------------------------
@points(3)
def test_invalid_arguments_raise_value_error(candidate, mistakes, seed):
    model, x, y, _, _ = regression(seed + 15)
    hint = mistakes.hint("no_validation")
    cases = [
        (lambda: candidate.anil_adapt(model, x, y, nn.MSELoss(), 0.1, steps=-1), "steps=-1"),
        (
            lambda: candidate.anil_adapt(
                nn.Sequential(nn.Linear(2, 3), nn.Tanh()), x, y, nn.MSELoss(), 0.1
            ),
            "a head without parameters",
        ),
        (
            lambda: candidate.anil_adapt(nn.Sequential(nn.Linear(2, 1)), x, y, nn.MSELoss(), 0.1),
            "a Sequential of one module",
        ),
    ]
    for call, what in cases:
        expect_raises(ValueError, call, name=what, hint=hint)


@points(3)
def test_invalid_arguments_raise_on_classification(candidate, mistakes, seed):
    model, x, y, _, _ = classification(seed + 16)
    loss = nn.CrossEntropyLoss()
    hint = mistakes.hint("no_validation")
    tail = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh())
    cases = [
        (lambda: candidate.anil_adapt(model, x, y, loss, 0.1, steps=-3), "steps=-3"),
        (lambda: candidate.anil_adapt(tail, x, y, loss, 0.1), "a head (Tanh) without parameters"),
        (lambda: candidate.anil_adapt(nn.Linear(5, 4), x, y, loss, 0.1), "not an nn.Sequential"),
    ]
    for call, what in cases:
        expect_raises(ValueError, call, name=what, hint=hint)
