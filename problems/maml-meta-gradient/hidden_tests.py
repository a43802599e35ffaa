"""Hidden tests for maml-meta-gradient. The returned meta-gradient is itself the
second-order quantity, so comparing it (and, in float64, checking it against finite
differences of the meta-loss) judges second order directly."""

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, points


def mlp(seed, sizes=(1, 16, 1), act=nn.Tanh, dtype=torch.float32):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers).to(dtype)


def sine_tasks(seed, n_tasks, k=5, q=7, dtype=torch.float32):
    """Sinusoid regression tasks (x_support, y_support, x_query, y_query)."""
    gen = torch.Generator().manual_seed(seed)
    tasks = []
    for i in range(n_tasks):
        amp = 0.5 + 2 * torch.rand((), generator=gen)
        phase = 3 * torch.rand((), generator=gen)
        ks, qs = k + i % 3, q + (2 * i) % 3  # sizes differ from task to task
        x_s = 10 * torch.rand(ks, 1, generator=gen) - 5
        x_q = 10 * torch.rand(qs, 1, generator=gen) - 5
        tasks.append(
            (
                x_s.to(dtype),
                (amp * torch.sin(x_s - phase)).to(dtype),
                x_q.to(dtype),
                (amp * torch.sin(x_q - phase)).to(dtype),
            )
        )
    return tasks


def class_tasks(seed, n_tasks, n_way=4, dim=6):
    gen = torch.Generator().manual_seed(seed)
    tasks = []
    for _ in range(n_tasks):
        means = 2 * torch.randn(n_way, dim, generator=gen)
        y_s = torch.arange(n_way).repeat(3)
        y_q = torch.arange(n_way).repeat(2)
        x_s = means[y_s] + torch.randn(len(y_s), dim, generator=gen)
        x_q = means[y_q] + torch.randn(len(y_q), dim, generator=gen)
        tasks.append((x_s, y_s, x_q, y_q))
    return tasks


def check(candidate, solution, mistakes, args, name, rtol=1e-4, atol=1e-5, **kwargs):
    got = candidate.maml_meta_gradient(*args, **kwargs)
    want = solution.maml_meta_gradient(*args, **kwargs)
    expect_close(
        got,
        want,
        name=name,
        rtol=rtol,
        atol=atol,
        mistakes=mistakes.on(lambda m: m.maml_meta_gradient(*args, **kwargs)),
    )
    return got


@points(11)
def test_one_task_one_step(candidate, solution, mistakes, seed):
    args = (mlp(seed + 0), sine_tasks(seed + 0, 1), nn.MSELoss(), 0.1)
    got = check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), one task")
    expect(got[0].dim() == 0, f"meta_loss must be a 0-d tensor, got shape {tuple(got[0].shape)}")


@points(11)
def test_several_tasks_mean_of_query_losses(candidate, solution, mistakes, seed):
    args = (mlp(seed + 1), sine_tasks(seed + 1, 4), nn.MSELoss(), 0.1)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), four tasks")


@points(8)
def test_several_steps_deeper_net(candidate, solution, mistakes, seed):
    args = (mlp(seed + 2, (1, 12, 12, 12, 1)), sine_tasks(seed + 2, 3), nn.MSELoss(), 0.05)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), steps=3", steps=3)


@points(8)
def test_steps_zero(candidate, solution, mistakes, seed):
    args = (mlp(seed + 3), sine_tasks(seed + 3, 3), nn.MSELoss(), 0.1)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), steps=0", steps=0)


@points(10)
def test_first_order(candidate, solution, mistakes, seed):
    args = (mlp(seed + 4), sine_tasks(seed + 4, 3), nn.MSELoss(), 0.1)
    check(
        candidate,
        solution,
        mistakes,
        args,
        "(meta_loss, meta_grad), first_order=True, steps=2",
        steps=2,
        first_order=True,
    )


@points(8)
def test_classification_cross_entropy(candidate, solution, mistakes, seed):
    model = mlp(seed + 5, (6, 16, 4), act=nn.ReLU)
    args = (model, class_tasks(seed + 5, 3), nn.CrossEntropyLoss(), 0.5)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), 4-way tasks", steps=2)


@points(11)
def test_matches_finite_differences_float64(candidate, solution, mistakes, seed):
    """Independent of the reference: central differences of the meta-loss in float64."""
    model = mlp(seed + 6, (1, 4, 1), dtype=torch.float64)
    tasks = sine_tasks(seed + 6, 2, dtype=torch.float64)
    args = (model, tasks, nn.MSELoss(), 0.2)
    got = check(
        candidate, solution, mistakes, args, "(meta_loss, meta_grad), float64", 1e-7, 1e-9, steps=2
    )
    eps = 1e-6
    numeric = {}
    for name, p in model.named_parameters():
        g = torch.zeros_like(p)
        for i in range(p.numel()):
            values = []
            for sign in (1, -1):
                with torch.no_grad():
                    p.view(-1)[i] += sign * eps
                values.append(float(solution.maml_meta_gradient(*args, steps=2)[0]))
                with torch.no_grad():
                    p.view(-1)[i] -= sign * eps
            g.view(-1)[i] = (values[0] - values[1]) / (2 * eps)
        numeric[name] = g
    expect_close(got[1], numeric, name="meta_grad vs finite differences", rtol=1e-5, atol=1e-7)


@points(10)
def test_model_is_not_changed(candidate, solution, mistakes, seed):
    model = mlp(seed + 7)
    before = {n: t.clone() for n, t in model.state_dict().items()}
    args = (model, sine_tasks(seed + 7, 2), nn.MSELoss(), 0.1)
    after = candidate.run("maml_meta_gradient", *args).args[0]
    expect_close(
        after,
        before,
        name="the model's parameters after the call",
        mistakes=mistakes.on(lambda m: m.run("maml_meta_gradient", *args).args[0]),
    )


@points(7)
def test_every_named_parameter(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 8)
    model = nn.Sequential(
        nn.Linear(1, 8, bias=False),
        nn.Tanh(),
        nn.Linear(8, 8, bias=False),
        nn.Tanh(),
        nn.Linear(8, 1),
    )
    args = (model, sine_tasks(seed + 8, 2), nn.MSELoss(), 0.1)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), layers without bias")


@points(6)
def test_non_contiguous_inputs(candidate, solution, mistakes, seed):
    tasks = [
        (x_s.t().contiguous().t(), y_s, x_q.expand(-1, 1), y_q)
        for x_s, y_s, x_q, y_q in sine_tasks(seed + 9, 2)
    ]
    torch.manual_seed(seed + 9)
    wide = torch.randn(3, 7)  # a column slice of a wider tensor: strided, not contiguous
    tasks.append((wide[:, 1:2], wide[:, 2:3], wide[:, 4:5], wide[:, 6:7]))
    args = (mlp(seed + 9), tasks, nn.MSELoss(), 0.1)
    check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), strided inputs")


@points(4)
def test_a_stale_grad_on_entry_is_not_added(candidate, solution, mistakes, seed):
    model = mlp(seed + 30)
    args = (model, sine_tasks(seed + 30, 2), nn.MSELoss(), 0.05)
    probe = Probe("stale_grads", 0.5)
    got = candidate.run("maml_meta_gradient", *args, probe=probe).probe["value"]
    expect_close(
        got,
        solution.maml_meta_gradient(*args),
        name="(meta_loss, meta_grad) with every .grad at 0.5 on entry",
        mistakes=mistakes.on(
            lambda m: m.run("maml_meta_gradient", *args, probe=probe).probe["value"]
        ),
    )


def with_unused(model, where, shape, seed):
    """``model`` with one more parameter, registered on ``where`` (a module whose forward
    never reads it): the meta-loss does not depend on it."""
    gen = torch.Generator().manual_seed(seed)
    where.register_parameter("unused", nn.Parameter(torch.randn(*shape, generator=gen)))
    return model


@points(3)
def test_a_parameter_the_loss_does_not_reach_gets_zeros(candidate, solution, mistakes, seed):
    model = mlp(seed + 31)
    with_unused(model, model, (3,), seed + 31)  # on the Sequential itself: never called
    args = (model, sine_tasks(seed + 31, 2), nn.MSELoss(), 0.1)
    got = check(candidate, solution, mistakes, args, "(meta_loss, meta_grad), unused", steps=2)
    expect(bool((got[1]["unused"] == 0).all()), "meta_grad['unused'] must be zeros")


@points(3)
def test_an_unreached_parameter_gets_zeros_first_order(candidate, solution, mistakes, seed):
    model = mlp(seed + 32, (6, 16, 4), act=nn.ReLU)
    with_unused(model, model[2], (4, 2), seed + 32)  # a Linear's forward reads weight, bias
    args = (model, class_tasks(seed + 32, 2), nn.CrossEntropyLoss(), 0.5)
    check(
        candidate,
        solution,
        mistakes,
        args,
        "(meta_loss, meta_grad), first order, '2.unused' unused",
        steps=2,
        first_order=True,
    )
