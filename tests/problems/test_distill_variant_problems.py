"""No drift between the decoupled-kd and feature-distillation solutions (self-contained, as
the sandbox forbids importing reference/) and reference/distill.py: values and gradients."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import torch

PROBLEMS = Path(__file__).resolve().parents[2] / "problems"


def solution(slug: str) -> ModuleType:
    path = PROBLEMS / slug / "solution.py"
    spec = importlib.util.spec_from_file_location(f"_sol_{slug.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_decoupled_kd_solution_agrees_with_the_reference() -> None:
    from reference.distill import decoupled_kd_loss

    sol = solution("decoupled-kd").decoupled_kd_loss
    g = torch.Generator().manual_seed(0)
    for n, c, alpha, T in [(8, 5, 1.0, 4.0), (3, 2, 0.5, 1.0), (6, 30, 2.0, 2.5)]:
        s = (3 * torch.randn(n, c, generator=g)).requires_grad_()
        t = 3 * torch.randn(n, c, generator=g)
        y = torch.randint(c, (n,), generator=g)
        for beta in (8.0, torch.rand(n, generator=g)):
            got, want = sol(s, t, y, alpha, beta, T), decoupled_kd_loss(s, t, y, alpha, beta, T)
            torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-7)
            (g_got,) = torch.autograd.grad(got, s)
            (g_want,) = torch.autograd.grad(want, s)
            torch.testing.assert_close(g_got, g_want, rtol=1e-6, atol=1e-7)


def test_feature_distillation_solution_agrees_with_the_reference() -> None:
    from reference.distill import hint_loss

    sol = solution("feature-distillation").hint_loss
    torch.manual_seed(0)
    cases = [
        (torch.nn.Linear(5, 9), torch.randn(6, 5), torch.randn(6, 9)),
        (torch.nn.Conv2d(3, 7, 1), torch.randn(2, 3, 4, 4), torch.randn(2, 7, 4, 4)),
    ]
    for regressor, s, t in cases:
        s.requires_grad_()
        params = [s, *regressor.parameters()]
        got, want = sol(s, t, regressor), hint_loss(s, t, regressor)
        torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-7)
        for a, b in zip(
            torch.autograd.grad(got, params), torch.autograd.grad(want, params), strict=True
        ):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
