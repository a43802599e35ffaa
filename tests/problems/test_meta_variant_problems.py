"""No drift between the anil-adapt, maml-plus-plus-lslr and imaml-implicit-gradient
solutions (self-contained, as the sandbox forbids importing reference/) and
reference/meta_variants.py: values, and gradients where the contract promises them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import torch
from torch import nn

PROBLEMS = Path(__file__).resolve().parents[2] / "problems"
MSE = nn.MSELoss()


def solution(slug: str) -> ModuleType:
    path = PROBLEMS / slug / "solution.py"
    spec = importlib.util.spec_from_file_location(f"_sol_{slug.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def net(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 2))


def data(seed: int, n: int = 7) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=g), torch.randn(n, 2, generator=g)


def weighted_sum_grad(params: dict, wrt: list[torch.Tensor]) -> list[torch.Tensor]:
    total = sum((p * torch.linspace(-1, 1, p.numel()).view_as(p)).sum() for p in params.values())
    return list(torch.autograd.grad(total, wrt, allow_unused=True, materialize_grads=True))


def test_anil_solution_agrees_with_the_reference() -> None:
    from reference.meta_variants import anil_adapt

    sol = solution("anil-adapt").anil_adapt
    for seed, steps, first_order in [(0, 1, False), (1, 3, False), (2, 2, True), (3, 0, False)]:
        model, (x, y) = net(seed), data(seed)
        theta = list(model.parameters())
        got = sol(model, x, y, MSE, 0.2, steps, first_order)
        want = anil_adapt(model, x, y, MSE, 0.2, steps, first_order)
        assert list(got) == list(want)
        for n in want:
            torch.testing.assert_close(got[n], want[n], rtol=1e-6, atol=1e-7)
        for a, b in zip(weighted_sum_grad(got, theta), weighted_sum_grad(want, theta), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
        assert all(p.grad is None for p in theta)


def test_lslr_solution_agrees_with_the_reference() -> None:
    from reference.meta_variants import lslr_multi_step_loss

    sol = solution("maml-plus-plus-lslr").lslr_multi_step_loss
    for seed, steps in [(4, 1), (5, 3)]:
        model, (x, y), (x_q, y_q) = net(seed), data(seed), data(seed + 10, 9)
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


def test_imaml_solution_agrees_with_the_reference() -> None:
    from reference.meta_variants import imaml_meta_gradient

    sol = solution("imaml-implicit-gradient").imaml_meta_gradient
    for seed, lam, steps in [(6, 1.0, 1), (7, 2.0, 5), (8, 0.5, 3)]:
        model, (x, y), (x_q, y_q) = net(seed), data(seed), data(seed + 10, 9)
        adapted = {n: p.detach() + 0.1 * torch.randn_like(p) for n, p in model.named_parameters()}
        got = sol(model, adapted, x, y, x_q, y_q, MSE, lam, steps)
        want = imaml_meta_gradient(model, adapted, x, y, x_q, y_q, MSE, lam, steps)
        assert list(got) == list(want)
        for n in want:
            torch.testing.assert_close(got[n], want[n], rtol=1e-6, atol=1e-7)
