"""Checks of the meta-learning problems' own grading code, independent of the judge.

`judge check-problems` proves that each folder's tests accept the solution and the
alternatives and reject every known mistake; these tests prove the graders' helpers
themselves: the sinusoid problem's batched evaluator against a plain per-task loop with
nn.Module and torch.optim.SGD, and the episode sampler's statistical tests against the
samplers they must accept and reject. And no drift: each problem of the topic
``meta-learning`` (read from the folders) has a check in :data:`DRIFT` that its
self-contained solution agrees with reference/, or a test fails. What every folder holds is
checked in test_folders.py.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import torch
from torch import nn

from judge.problems import all_problems

PROBLEMS = Path(__file__).resolve().parents[2] / "problems"
TOPIC = "meta-learning"
META = sorted(p.slug for p in all_problems() if p.topic == TOPIC and not p.is_quiz)
MSE = nn.MSELoss()


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_meta_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_sinusoid_evaluator_matches_a_plain_loop() -> None:
    grader = load(PROBLEMS / "maml-sinusoid" / "hidden_tests.py")
    torch.manual_seed(0)
    model = grader.architecture()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tasks = grader.held_out_tasks(seed=5, n=4)
    got = grader.adapted_mse(state, steps=(0, 1, 3), tasks=tasks)
    want = {0: 0.0, 1: 0.0, 3: 0.0}
    for x_s, y_s, x_q, y_q in zip(*tasks, strict=True):
        net = grader.architecture()
        net.load_state_dict(state)
        for step in range(4):
            if step in want:
                with torch.no_grad():
                    want[step] += float(nn.functional.mse_loss(net(x_q), y_q)) / 4
            grads = torch.autograd.grad(nn.functional.mse_loss(net(x_s), y_s), net.parameters())
            with torch.no_grad():
                for p, g in zip(net.parameters(), grads, strict=True):
                    p -= grader.INNER_LR * g
    for step in want:
        assert got[step] == pytest.approx(want[step], rel=1e-4)


def test_sinusoid_bar_is_below_the_baseline() -> None:
    grader = load(PROBLEMS / "maml-sinusoid" / "hidden_tests.py")
    assert grader.BAR[1] < grader.BAR[1] / grader.VS_BASELINE  # sanity of the constants
    zero = grader.zero_predictor_mse()
    assert 4.0 < zero < 4.6  # E[A²]/2 with A ~ U[0.1, 5]: about 4.2


def _class_chi2(sample_episode) -> float:
    sizes = {10: 5, 11: 6, 12: 8, 13: 10, 14: 15, 15: 20, 16: 30, 17: 40}
    labels = torch.tensor([c for c, n in sizes.items() for _ in range(n)])
    drawn = Counter()
    for seed in range(120):
        s_idx, *_ = sample_episode(labels, 4, 2, 3, seed)
        drawn.update(set(labels[s_idx].tolist()))
    expected = 120 * 4 / len(sizes)
    return sum((drawn[c] - expected) ** 2 / expected for c in sizes)


def test_episode_chi_square_separates_uniform_from_frequency_weighted() -> None:
    folder = PROBLEMS / "episode-sampler"
    for path in [folder / "solution.py", *sorted((folder / "alternatives").glob("*.py"))]:
        assert _class_chi2(load(path).sample_episode) < 29.88, path.name
    weighted = load(folder / "mistakes" / "frequency_weighted.py").sample_episode
    assert _class_chi2(weighted) > 29.88


# --------------------------------------------------------------------------- no drift


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a.dtype == b.dtype and a.shape == b.shape and torch.allclose(a, b, rtol=1e-5, atol=1e-6)


def _solution(slug: str) -> ModuleType:
    return load(PROBLEMS / slug / "solution.py")


def _net(seed: int) -> nn.Module:
    """A small tanh MLP (non-zero second derivative, so second-order terms matter)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 2))


def _data(seed: int, n: int = 7) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=g), torch.randn(n, 2, generator=g)


def _grad_of(params: dict, wrt: list[torch.Tensor]) -> list[torch.Tensor]:
    """∂(a fixed weighted sum of the result)/∂wrt: second order when the result keeps its graph."""
    total = sum((p * torch.linspace(-1, 1, p.numel()).view_as(p)).sum() for p in params.values())
    return list(torch.autograd.grad(total, wrt, allow_unused=True, materialize_grads=True))


def _maml_adapt() -> None:
    from reference import maml

    mse = nn.MSELoss()
    adapt = _solution("maml-adapt").adapt
    for seed, steps, first_order in [(0, 1, False), (1, 3, False), (2, 2, True), (3, 0, False)]:
        net, (x, y) = _net(seed), _data(seed)
        theta = list(net.parameters())
        got = adapt(net, x, y, mse, 0.1, steps, first_order)
        want = maml.adapt(net, x, y, mse, 0.1, steps, first_order)
        assert _close(got, want)
        assert _close(_grad_of(got, theta), _grad_of(want, theta))
        assert all(p.grad is None for p in theta)


def _maml_meta_gradient() -> None:
    from reference import maml

    mse = nn.MSELoss()
    meta_gradient = _solution("maml-meta-gradient").maml_meta_gradient
    for seed, steps, first_order in [(4, 1, False), (5, 2, False), (6, 2, True)]:
        net = _net(seed)
        batch = [(*_data(10 * seed + t, 5), *_data(10 * seed + t + 5, 6)) for t in range(3)]
        got = meta_gradient(net, batch, mse, 0.05, steps, first_order)
        assert _close(got, maml.maml_meta_gradient(net, batch, mse, 0.05, steps, first_order))


def _reptile_step() -> None:
    from reference import maml

    mse = nn.MSELoss()
    reptile = _solution("reptile-step").reptile_step
    for seed, steps in [(7, 1), (8, 4)]:
        net, (x, y) = _net(seed), _data(seed)
        got = reptile(net, x, y, mse, 0.05, steps, 0.3)
        assert _close(got, maml.reptile_step(net, x, y, mse, 0.05, steps, 0.3))
        assert not any(t.requires_grad for t in got.values())


def _meta_sgd_adapt() -> None:
    from reference import maml

    mse = nn.MSELoss()
    meta_sgd = _solution("meta-sgd-adapt").meta_sgd_adapt
    for seed in (9, 10):
        net, (x, y) = _net(seed), _data(seed)
        g = torch.Generator().manual_seed(seed)
        lrs = {
            n: (0.1 * torch.rand(p.shape, generator=g)).requires_grad_()
            for n, p in net.named_parameters()
        }
        leaves = [*net.parameters(), *lrs.values()]
        got, want = meta_sgd(net, lrs, x, y, mse), maml.meta_sgd_adapt(net, lrs, x, y, mse)
        assert _close(got, want)
        assert _close(_grad_of(got, leaves), _grad_of(want, leaves))


def _episode_sampler() -> None:
    from reference import tasks

    sample_episode = _solution("episode-sampler").sample_episode
    g = torch.Generator().manual_seed(11)
    labels = torch.randint(0, 9, (120,), generator=g)
    for seed, (n_way, k_shot, n_query) in enumerate([(3, 2, 4), (5, 1, 1), (4, 5, 3)]):
        got = sample_episode(labels, n_way, k_shot, n_query, seed)
        assert got[0].tolist() and _close(
            got, tasks.sample_episode(labels, n_way, k_shot, n_query, seed)
        )
    with pytest.raises(ValueError):
        sample_episode(labels, 10, 2, 2, 0)


def _prototypical_logits() -> None:
    from reference import protonet

    g = torch.Generator().manual_seed(12)
    logits = _solution("prototypical-logits").prototypical_logits
    support = torch.randn(12, 5, generator=g, requires_grad=True)
    query = torch.randn(7, 5, generator=g, requires_grad=True)
    support_y = torch.randperm(12, generator=g) % 4
    got, want = (
        logits(support, support_y, query, 4),
        protonet.prototypical_logits(support, support_y, query, 4),
    )
    assert _close(got, want)
    assert _close(
        torch.autograd.grad(got.sum(), [support, query]),
        torch.autograd.grad(want.sum(), [support, query]),
    )


def _maml_sinusoid() -> None:
    """maml-sinusoid's compact batched meta-loss and sampler match reference/maml.py's."""
    from reference import meta_train, models, tasks

    sol = _solution("maml-sinusoid")
    torch.manual_seed(0)
    model = models.sinusoid_regressor()
    assert [p.shape for p in sol.sinusoid_regressor().parameters()] == [
        p.shape for p in model.parameters()
    ]
    got_batch = sol.sample_sinusoid_tasks(6, 10, 20, torch.Generator().manual_seed(3))
    b = tasks.sample_sinusoid_tasks(6, 10, 20, torch.Generator().manual_seed(3))
    want_batch = (b.x_support, b.y_support, b.x_query, b.y_query)
    assert _close(got_batch, want_batch)
    params = list(model.parameters())
    got = sol.batched_meta_loss(model, got_batch)
    want = meta_train.batched_meta_loss(model, want_batch, nn.MSELoss(), sol.INNER_LR, 1, False)
    assert _close(got, want)
    assert _close(torch.autograd.grad(got, params), torch.autograd.grad(want, params))


def _anil_adapt() -> None:
    from reference.meta_variants import anil_adapt

    sol = _solution("anil-adapt").anil_adapt
    for seed, steps, first_order in [(0, 1, False), (1, 3, False), (2, 2, True), (3, 0, False)]:
        model, (x, y) = _net(seed), _data(seed)
        theta = list(model.parameters())
        got = sol(model, x, y, MSE, 0.2, steps, first_order)
        want = anil_adapt(model, x, y, MSE, 0.2, steps, first_order)
        assert list(got) == list(want)
        for n in want:
            torch.testing.assert_close(got[n], want[n], rtol=1e-6, atol=1e-7)
        for a, b in zip(_grad_of(got, theta), _grad_of(want, theta), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
        assert all(p.grad is None for p in theta)


def _maml_plus_plus_lslr() -> None:
    from reference.meta_variants import lslr_multi_step_loss

    sol = _solution("maml-plus-plus-lslr").lslr_multi_step_loss
    for seed, steps in [(4, 1), (5, 3)]:
        model, (x, y), (x_q, y_q) = _net(seed), _data(seed), _data(seed + 10, 9)
        g = torch.Generator().manual_seed(seed)
        lrs = {
            n: (0.2 * torch.rand(steps, generator=g)).requires_grad_()
            for n, _ in model.named_parameters()
        }
        w = torch.rand(steps, generator=g)
        leaves = [*model.parameters(), *lrs.values()]
        got = sol(model, lrs, x, y, x_q, y_q, MSE, w)
        want = lslr_multi_step_loss(model, lrs, x, y, x_q, y_q, MSE, w)
        torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-7)
        for a, b in zip(
            torch.autograd.grad(got, leaves), torch.autograd.grad(want, leaves), strict=True
        ):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def _imaml_implicit_gradient() -> None:
    from reference.meta_variants import imaml_meta_gradient

    sol = _solution("imaml-implicit-gradient").imaml_meta_gradient
    for seed, lam, steps in [(6, 1.0, 1), (7, 2.0, 5), (8, 0.5, 3)]:
        model, (x, y), (x_q, y_q) = _net(seed), _data(seed), _data(seed + 10, 9)
        adapted = {n: p.detach() + 0.1 * torch.randn_like(p) for n, p in model.named_parameters()}
        got = sol(model, adapted, x, y, x_q, y_q, MSE, lam, steps)
        want = imaml_meta_gradient(model, adapted, x, y, x_q, y_q, MSE, lam, steps)
        assert list(got) == list(want)
        for n in want:
            torch.testing.assert_close(got[n], want[n], rtol=1e-6, atol=1e-7)


DRIFT: dict[str, Callable[[], None]] = {
    "maml-adapt": _maml_adapt,
    "maml-meta-gradient": _maml_meta_gradient,
    "reptile-step": _reptile_step,
    "meta-sgd-adapt": _meta_sgd_adapt,
    "episode-sampler": _episode_sampler,
    "prototypical-logits": _prototypical_logits,
    "maml-sinusoid": _maml_sinusoid,
    "anil-adapt": _anil_adapt,
    "maml-plus-plus-lslr": _maml_plus_plus_lslr,
    "imaml-implicit-gradient": _imaml_implicit_gradient,
}
"""Per problem: its self-contained solution (the sandbox forbids importing reference/) agrees
with reference/, in values and, where the contract promises them, gradients."""


@pytest.mark.parametrize("slug", META)
def test_solution_agrees_with_the_reference(slug: str) -> None:
    assert slug in DRIFT, f"{slug}: no drift check; add one to DRIFT in this file"
    DRIFT[slug]()


def test_every_drift_check_names_a_problem() -> None:
    assert set(DRIFT) <= set(META), sorted(set(DRIFT) - set(META))
