"""Reference solution: second-order MAML with the batched meta-loss of reference/maml.py.

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
from torch import nn

from reference.maml import batched_meta_loss
from reference.models import sinusoid_regressor
from reference.tasks import sample_sinusoid_tasks

META_BATCH, K_SUPPORT, K_QUERY = 25, 10, 20
INNER_LR, META_LR, BETAS, EPS = 0.01, 1e-2, (0.9, 0.999), 1e-8


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
        b = sample_sinusoid_tasks(META_BATCH, K_SUPPORT, K_QUERY, gen)
        batch = (b.x_support, b.y_support, b.x_query, b.y_query)
        loss = batched_meta_loss(model, batch, nn.MSELoss(), INNER_LR, 1, False)
        grads = torch.autograd.grad(loss, params)
        step += 1
        with torch.no_grad():
            for p, g, m_i, v_i in zip(params, grads, m, v, strict=True):
                m_i.mul_(BETAS[0]).add_(g, alpha=1 - BETAS[0])
                v_i.mul_(BETAS[1]).addcmul_(g, g, value=1 - BETAS[1])
                m_hat = m_i / (1 - BETAS[0] ** step)
                v_hat = v_i / (1 - BETAS[1] ** step)
                p -= lr * m_hat / (v_hat.sqrt() + EPS)
    return model
