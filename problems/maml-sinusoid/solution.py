"""Reference solution: second-order MAML with the batched meta-loss of reference/maml.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden, so the parts it needs are copied here compactly — the sinusoid
sampler of reference/tasks.py, and the batched meta-loss of reference/maml.py specialised to
the 1-40-40-1 ReLU MLP with mean squared error (its fast "bmm, by hand" path).

Every task of the meta-batch runs at once: the shared θ is copied per task, ``[T, out, in]``,
each Linear is one ``torch.baddbmm`` over tasks, and the inner gradient is backpropagated by
hand with batched matmuls from the written-out d(MSE)/d(prediction). Those are differentiable
ops on θ, so the meta-gradient keeps the second-order terms (ReLU's second derivative is zero:
nothing is lost).

It trains until 85% of the time budget is spent, with Adam written out by hand and a
learning rate annealed along a cosine over the elapsed fraction of the budget (so any
budget ends annealed). Adam is hand-written because the first use of ``torch.optim`` in a
fresh process imports ``torch._dynamo``, which takes seconds on a loaded machine and would
eat a good part of the budget.
"""

from __future__ import annotations

import math
import time

import torch
from torch import Tensor, nn

META_BATCH, K_SUPPORT, K_QUERY = 25, 10, 20
INNER_LR, META_LR, BETAS, EPS = 0.01, 1e-2, (0.9, 0.999), 1e-8
AMPLITUDE, PHASE, X_RANGE = (0.1, 5.0), (0.0, math.pi), (-5.0, 5.0)

Layers = list[tuple[Tensor, Tensor]]  # per Linear: weight [T, out, in], bias [T, out]


def sinusoid_regressor() -> nn.Sequential:
    """Finn et al.'s 1-40-40-1 ReLU regressor (the architecture the grader loads)."""
    return nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )


def _uniform(shape: tuple[int, ...], bounds: tuple[float, float], gen: torch.Generator) -> Tensor:
    low, high = bounds
    return low + (high - low) * torch.rand(shape, generator=gen)


def sample_sinusoid_tasks(
    n_tasks: int, k_support: int, k_query: int, gen: torch.Generator
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``(x_support, y_support, x_query, y_query)``, each [tasks, k, 1]: y = A·sin(x − φ)."""
    amplitude = _uniform((n_tasks, 1, 1), AMPLITUDE, gen)
    phase = _uniform((n_tasks, 1, 1), PHASE, gen)
    x_support = _uniform((n_tasks, k_support, 1), X_RANGE, gen)
    x_query = _uniform((n_tasks, k_query, 1), X_RANGE, gen)
    y_support = amplitude * torch.sin(x_support - phase)
    return x_support, y_support, x_query, amplitude * torch.sin(x_query - phase)


def _forward(layers: Layers, x: Tensor) -> list[Tensor]:
    """Every layer's output (Linear, ReLU, ..., Linear) for all tasks; the last is the output."""
    outputs, h = [], x
    for i, (weight, bias) in enumerate(layers):
        h = torch.baddbmm(bias[:, None], h, weight.transpose(1, 2))
        outputs.append(h)
        if i < len(layers) - 1:
            h = torch.relu(h)
            outputs.append(h)
    return outputs


def _mse_gradients(layers: Layers, x: Tensor, y: Tensor) -> Layers:
    """Each task's gradient of its own MSE on (x, y), by batched-matmul backprop.

    Tasks are independent, so this is every task's own inner gradient; built from
    differentiable ops, it carries the second-order terms back to θ.
    """
    outputs = _forward(layers, x)
    pred = outputs[-1]
    delta = (2.0 / pred[0].numel()) * (pred - y)  # d(mean squared error)/d(prediction)
    grads: Layers = []
    for i in range(len(layers) - 1, -1, -1):
        inputs = outputs[2 * i - 1] if i > 0 else x  # the ReLU output feeding Linear i
        grads.append((torch.bmm(delta.transpose(1, 2), inputs), delta.sum(1)))
        if i > 0:
            delta = torch.bmm(delta, layers[i][0]) * (outputs[2 * i - 1] > 0)
    return grads[::-1]


def batched_meta_loss(model: nn.Sequential, batch: tuple[Tensor, Tensor, Tensor, Tensor]) -> Tensor:
    """MAML's meta-loss after one inner SGD step: the mean query MSE over tasks, with its graph."""
    x_s, y_s, x_q, y_q = batch
    linears = [m for m in model if isinstance(m, nn.Linear)]
    # A contiguous copy per task: bmm is markedly slower on stride-0 expanded weights.
    theta = [
        (m.weight.expand(len(x_s), *m.weight.shape).contiguous(),
         m.bias.expand(len(x_s), *m.bias.shape).contiguous())
        for m in linears
    ]  # fmt: skip
    grads = _mse_gradients(theta, x_s, y_s)
    fast = [
        (w - INNER_LR * gw, b - INNER_LR * gb)
        for (w, b), (gw, gb) in zip(theta, grads, strict=True)
    ]
    pred = _forward(fast, x_q)[-1]
    return (pred - y_q).square().flatten(1).mean(1).mean()


def meta_train(seed: int, time_budget_s: float) -> nn.Module:
    """MAML on sinusoid tasks for about 0.85 · time_budget_s seconds."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the sandbox runs one thread; so do we in-process
    try:
        return _meta_train(seed, time_budget_s)
    finally:
        torch.set_num_threads(threads)


def _meta_train(seed: int, time_budget_s: float) -> nn.Module:
    start = time.monotonic()
    usable = 0.85 * time_budget_s
    torch.manual_seed(seed)
    model = sinusoid_regressor()
    gen = torch.Generator().manual_seed(seed)
    params = list(model.parameters())
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    step = 0
    while (elapsed := time.monotonic() - start) < usable:
        lr = META_LR * 0.5 * (1 + math.cos(math.pi * elapsed / usable))
        batch = sample_sinusoid_tasks(META_BATCH, K_SUPPORT, K_QUERY, gen)
        grads = torch.autograd.grad(batched_meta_loss(model, batch), params)
        step += 1
        with torch.no_grad():
            for p, g, m_i, v_i in zip(params, grads, m, v, strict=True):
                m_i.mul_(BETAS[0]).add_(g, alpha=1 - BETAS[0])
                v_i.mul_(BETAS[1]).addcmul_(g, g, value=1 - BETAS[1])
                m_hat = m_i / (1 - BETAS[0] ** step)
                v_hat = v_i / (1 - BETAS[1] ** step)
                p -= lr * m_hat / (v_hat.sqrt() + EPS)
    return model


__all__ = ["meta_train"]
