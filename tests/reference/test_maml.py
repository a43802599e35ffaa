"""MAML, FOMAML, Reptile and Meta-SGD checked against independent computations.

The batched trainers' meta-gradients are compared with a plain per-task
``torch.autograd.grad(create_graph=True)`` loop written here from scratch; the second-order
meta-gradient with central finite differences in float64.
"""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.func import functional_call

from reference import maml, meta_train
from reference.models import sinusoid_regressor
from reference.tasks import sample_sinusoid_tasks

torch.set_num_threads(1)


def tiny_net(activation: type[nn.Module] = nn.Tanh, dtype: torch.dtype = torch.float32):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 5), activation(), nn.Linear(5, 1)).to(dtype)


def random_batch(tasks=4, k=6, q=7, d_in=2, dtype=torch.float32, seed=1):
    gen = torch.Generator().manual_seed(seed)
    shapes = [(tasks, k, d_in), (tasks, k, 1), (tasks, q, d_in), (tasks, q, 1)]
    return tuple(torch.randn(s, generator=gen, dtype=dtype) for s in shapes)


def plain_loop_meta_gradient(model, batch, loss_fn, inner_lr, steps, first_order):
    """The textbook loop: every task separately, autograd.grad with create_graph, then mean."""
    theta = list(model.parameters())
    names = [n for n, _ in model.named_parameters()]
    total = 0.0
    for x_s, y_s, x_q, y_q in zip(*batch, strict=True):
        fast = theta
        for _ in range(steps):
            params = dict(zip(names, fast, strict=True))
            loss = loss_fn(functional_call(model, params, (x_s,)), y_s)
            grads = torch.autograd.grad(loss, fast, create_graph=True)
            if first_order:
                grads = [g.detach() for g in grads]
            fast = [p - inner_lr * g for p, g in zip(fast, grads, strict=True)]
        params = dict(zip(names, fast, strict=True))
        total = total + loss_fn(functional_call(model, params, (x_q,)), y_q)
    meta = total / len(batch[0])
    return meta.detach(), dict(zip(names, torch.autograd.grad(meta, theta), strict=True))


def assert_grads_close(got, want, rtol=1e-4, atol=1e-5):
    assert got.keys() == want.keys()
    for name in want:
        torch.testing.assert_close(got[name], want[name], rtol=rtol, atol=atol, msg=name)


@pytest.mark.parametrize("first_order", [False, True])
@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize(
    ("activation", "engine"),
    [(nn.ReLU, "bmm"), (nn.Tanh, "bmm"), (nn.ReLU, "vmap"), (nn.Tanh, "vmap")],
)
def test_batched_meta_gradient_equals_plain_loop(activation, engine, steps, first_order):
    model, batch, loss_fn = tiny_net(activation), random_batch(), nn.MSELoss()
    want_loss, want = plain_loop_meta_gradient(model, batch, loss_fn, 0.1, steps, first_order)
    got_loss, got = meta_train.batched_meta_gradient(
        model, batch, loss_fn, 0.1, steps, first_order, engine=engine
    )
    torch.testing.assert_close(got_loss, want_loss)
    assert_grads_close(got, want)


@pytest.mark.parametrize("first_order", [False, True])
def test_batched_sinusoid_mlp_matches_loop_and_contract(first_order):
    model, loss_fn = sinusoid_regressor(), nn.MSELoss()
    b = sample_sinusoid_tasks(25, 10, 10, seed=3)
    batch = (b.x_support, b.y_support, b.x_query, b.y_query)
    want_loss, want = plain_loop_meta_gradient(model, batch, loss_fn, 0.01, 1, first_order)
    for got_loss, got in [
        meta_train.batched_meta_gradient(model, batch, loss_fn, 0.01, 1, first_order),
        maml.maml_meta_gradient(model, b.tasks(), loss_fn, 0.01, 1, first_order),
    ]:
        torch.testing.assert_close(got_loss, want_loss)
        assert_grads_close(got, want)


def test_batched_cross_entropy_uses_any_loss_fn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 4))
    gen = torch.Generator().manual_seed(0)
    x_s, x_q = torch.randn(3, 8, 3, generator=gen), torch.randn(3, 5, 3, generator=gen)
    y_s, y_q = (
        torch.randint(0, 4, (3, 8), generator=gen),
        torch.randint(0, 4, (3, 5), generator=gen),
    )
    batch, loss_fn = (x_s, y_s, x_q, y_q), nn.CrossEntropyLoss()
    want_loss, want = plain_loop_meta_gradient(model, batch, loss_fn, 0.5, 2, False)
    got_loss, got = meta_train.batched_meta_gradient(model, batch, loss_fn, 0.5, 2)
    torch.testing.assert_close(got_loss, want_loss)
    assert_grads_close(got, want)


def meta_loss_at(model, flat, batch, inner_lr, steps):
    """The meta-loss with the parameters replaced by the flat vector ``flat``."""
    probe = copy.deepcopy(model)
    torch.nn.utils.vector_to_parameters(flat, probe.parameters())
    tasks = list(zip(*batch, strict=True))
    loss, _ = maml.maml_meta_gradient(probe, tasks, nn.MSELoss(), inner_lr, steps)
    return loss.item()


@pytest.mark.parametrize("steps", [1, 3])
def test_second_order_meta_gradient_matches_finite_differences(steps):
    model = tiny_net(nn.Tanh, torch.float64)
    batch = random_batch(tasks=3, dtype=torch.float64)
    _, grads = maml.maml_meta_gradient(
        model, list(zip(*batch, strict=True)), nn.MSELoss(), 0.3, steps
    )
    _, batched = meta_train.batched_meta_gradient(model, batch, nn.MSELoss(), 0.3, steps)
    analytic = torch.nn.utils.parameters_to_vector(grads.values())
    theta, eps = torch.nn.utils.parameters_to_vector(model.parameters()).detach(), 1e-6
    numeric = torch.zeros_like(theta)
    for i in range(len(theta)):
        e = torch.zeros_like(theta)
        e[i] = eps
        plus = meta_loss_at(model, theta + e, batch, 0.3, steps)
        minus = meta_loss_at(model, theta - e, batch, 0.3, steps)
        numeric[i] = (plus - minus) / (2 * eps)
    torch.testing.assert_close(analytic, numeric, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(torch.nn.utils.parameters_to_vector(batched.values()), numeric)


def test_first_order_is_gradient_at_adapted_parameters_and_differs_from_second_order():
    model, batch, loss_fn = (
        tiny_net(nn.Tanh, torch.float64),
        random_batch(dtype=torch.float64),
        nn.MSELoss(),
    )
    tasks = list(zip(*batch, strict=True))
    _, first = maml.maml_meta_gradient(model, tasks, loss_fn, 0.5, 2, first_order=True)
    _, second = maml.maml_meta_gradient(model, tasks, loss_fn, 0.5, 2, first_order=False)
    formula = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
    for x_s, y_s, x_q, y_q in tasks:
        adapted = maml.adapt(model, x_s, y_s, loss_fn, 0.5, 2, first_order=True)
        leaves = {n: p.detach().requires_grad_() for n, p in adapted.items()}
        loss = loss_fn(functional_call(model, leaves, (x_q,)), y_q)
        for n, g in zip(leaves, torch.autograd.grad(loss, list(leaves.values())), strict=True):
            formula[n] += g / len(tasks)
    assert_grads_close(first, formula, rtol=1e-10, atol=1e-12)
    gap = max((first[n] - second[n]).abs().max().item() for n in first)
    assert gap > 1e-3, "first- and second-order meta-gradients should differ on a curved net"


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), first_order=st.booleans())
def test_zero_steps_is_identity(seed, first_order):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    x_s, y_s, _, _ = random_batch(seed=seed)
    adapted = maml.adapt(model, x_s[0], y_s[0], nn.MSELoss(), 0.1, 0, first_order)
    stacked = meta_train.batched_adapt(model, x_s, y_s, nn.MSELoss(), 0.1, 0, first_order)
    for n, p in model.named_parameters():
        assert torch.equal(adapted[n], p)
        assert torch.equal(stacked[n], p.expand_as(stacked[n]))


def test_adapt_follows_gradient_descent_and_keeps_the_graph():
    model, (x, y, _, _) = tiny_net(), random_batch()
    adapted = maml.adapt(model, x[0], y[0], nn.MSELoss(), 0.1, steps=1)
    loss = nn.MSELoss()(model(x[0]), y[0])
    grads = torch.autograd.grad(loss, list(model.parameters()))
    for (n, p), g in zip(model.named_parameters(), grads, strict=True):
        torch.testing.assert_close(adapted[n], p - 0.1 * g)
        assert adapted[n].requires_grad


def test_entry_points_never_change_the_model():
    model, batch = tiny_net(), random_batch()
    before = copy.deepcopy(model.state_dict())
    x, y = batch[0][0], batch[1][0]
    lrs = {n: torch.full_like(p, 0.1) for n, p in model.named_parameters()}
    maml.adapt(model, x, y, nn.MSELoss(), 0.1, steps=3)
    maml.maml_meta_gradient(model, list(zip(*batch, strict=True)), nn.MSELoss(), 0.1, steps=2)
    maml.reptile_step(model, x, y, nn.MSELoss(), 0.1, inner_steps=3, outer_lr=0.5)
    maml.meta_sgd_adapt(model, lrs, x, y, nn.MSELoss())
    meta_train.batched_meta_gradient(model, batch, nn.MSELoss(), 0.1)
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert all(p.grad is None for p in model.parameters())


def test_reptile_outer_lr_one_is_the_inner_loop_and_zero_is_theta():
    model, (x, y, _, _) = tiny_net(), random_batch()
    inner = maml.adapt(model, x[0], y[0], nn.MSELoss(), 0.1, steps=4, first_order=True)
    full = maml.reptile_step(model, x[0], y[0], nn.MSELoss(), 0.1, inner_steps=4, outer_lr=1.0)
    none = maml.reptile_step(model, x[0], y[0], nn.MSELoss(), 0.1, inner_steps=4, outer_lr=0.0)
    for n, p in model.named_parameters():
        torch.testing.assert_close(full[n], inner[n].detach())
        torch.testing.assert_close(none[n], p.detach())
        assert not full[n].requires_grad


def test_meta_sgd_adapt_is_elementwise_and_differentiable_in_both():
    model, (x, y, _, _) = tiny_net(), random_batch()
    gen = torch.Generator().manual_seed(0)
    lrs = {
        n: torch.rand(p.shape, generator=gen).requires_grad_() for n, p in model.named_parameters()
    }
    adapted = maml.meta_sgd_adapt(model, lrs, x[0], y[0], nn.MSELoss())
    grads = torch.autograd.grad(nn.MSELoss()(model(x[0]), y[0]), list(model.parameters()))
    for (n, p), g in zip(model.named_parameters(), grads, strict=True):
        torch.testing.assert_close(adapted[n], p - lrs[n] * g)
    # Second order in θ: the same as MAML when every α equals one scalar.
    scalar = {n: torch.full_like(p, 0.1) for n, p in model.named_parameters()}
    batch = tuple(t[:1] for t in random_batch())
    out = maml.meta_sgd_adapt(model, scalar, batch[0][0], batch[1][0], nn.MSELoss())
    meta = nn.MSELoss()(functional_call(model, out, (batch[2][0],)), batch[3][0])
    want = plain_loop_meta_gradient(model, batch, nn.MSELoss(), 0.1, 1, False)[1]
    got = dict(zip(want, torch.autograd.grad(meta, list(model.parameters())), strict=True))
    assert_grads_close(got, want)
    assert torch.autograd.grad(adapted["0.weight"].sum(), lrs["0.weight"])[0].abs().sum() > 0


def test_batched_meta_sgd_matches_per_task_meta_sgd_adapt():
    model, batch = tiny_net(nn.ReLU), random_batch()
    lrs = {n: torch.full_like(p, 0.05).requires_grad_() for n, p in model.named_parameters()}
    stacked = meta_train.batched_adapt(model, batch[0], batch[1], nn.MSELoss(), lrs, steps=1)
    for t in range(len(batch[0])):
        single = maml.meta_sgd_adapt(model, lrs, batch[0][t], batch[1][t], nn.MSELoss())
        for n in single:
            torch.testing.assert_close(stacked[n][t], single[n])


def test_batched_path_refuses_batchnorm():
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    with pytest.raises(TypeError, match="BatchNorm"):
        meta_train.batched_forward(model)


def sinusoid_sampler(gen: torch.Generator):
    b = sample_sinusoid_tasks(10, 10, 10, gen)
    return b.x_support, b.y_support, b.x_query, b.y_query


def held_out_loss(model):
    b = sample_sinusoid_tasks(100, 10, 20, seed=999)
    batch = (b.x_support, b.y_support, b.x_query, b.y_query)
    return meta_train.batched_meta_gradient(model, batch, nn.MSELoss(), 0.01)[0].item()


@pytest.mark.parametrize("trainer", ["maml", "fomaml", "reptile", "meta_sgd"])
def test_trainers_reduce_the_held_out_meta_loss(trainer):
    torch.manual_seed(0)
    model = sinusoid_regressor()
    before = held_out_loss(model)
    config = meta_train.MetaConfig(iterations=150, meta_batch=10, meta_lr=3e-3, outer_lr=0.5)
    if trainer in ("maml", "fomaml"):
        config = meta_train.MetaConfig(**{**config.__dict__, "first_order": trainer == "fomaml"})
        history = meta_train.train_maml(model, sinusoid_sampler, nn.MSELoss(), config)
    elif trainer == "reptile":
        # Reptile needs several inner steps to differ from joint training.
        config = meta_train.MetaConfig(**{**config.__dict__, "inner_steps": 10, "inner_lr": 0.02})
        history = meta_train.train_reptile(model, sinusoid_sampler, nn.MSELoss(), config)
    else:
        history, lrs = meta_train.train_meta_sgd(model, sinusoid_sampler, nn.MSELoss(), config)
        assert any(not torch.allclose(a, torch.full_like(a, 0.01)) for a in lrs.values())
    assert len(history) == config.iterations
    assert held_out_loss(model) < 0.8 * before
