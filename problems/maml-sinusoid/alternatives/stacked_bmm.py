"""Correct, self-contained: second-order MAML with every task of the meta-batch run as one
batched matmul. The shared weights are expanded to one copy per task, [T, out, in]; the
gradient of the SUM of the task losses with respect to the copies is every task's own
inner gradient (tasks are independent), and create_graph=True keeps the second-order
terms. The outer optimiser is Adam written by hand (torch.optim is slow to import)."""

import math
import time

import torch
from torch import nn


def _forward(weights, x):
    h = x
    for i, (w, b) in enumerate(weights):
        h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
        if i < len(weights) - 1:
            h = torch.relu(h)
    return h


def _sample(gen, tasks, points):
    amp = 0.1 + 4.9 * torch.rand(tasks, 1, 1, generator=gen)
    phase = math.pi * torch.rand(tasks, 1, 1, generator=gen)
    x = -5 + 10 * torch.rand(tasks, points, 1, generator=gen)
    return x, amp * torch.sin(x - phase)


def meta_train(seed, time_budget_s):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread, as in the sandbox
    try:
        return _meta_train(seed, time_budget_s)
    finally:
        torch.set_num_threads(threads)


def _meta_train(seed, time_budget_s, tasks=25, k=10, k_query=20, inner_lr=0.01, meta_lr=0.01):
    start = time.monotonic()
    usable = 0.8 * time_budget_s
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )
    layers = [model[0], model[2], model[4]]
    params = [t for layer in layers for t in (layer.weight, layer.bias)]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    gen = torch.Generator().manual_seed(seed)
    step = 0
    while (elapsed := time.monotonic() - start) < usable:
        lr = meta_lr * 0.5 * (1 + math.cos(math.pi * elapsed / usable))
        x, y = _sample(gen, tasks, k + k_query)
        fast = [(l.weight.expand(tasks, -1, -1), l.bias.expand(tasks, -1)) for l in layers]
        support_loss = (_forward(fast, x[:, :k]) - y[:, :k]).square().mean((1, 2)).sum()
        flat = [t for pair in fast for t in pair]
        grads = iter(torch.autograd.grad(support_loss, flat, create_graph=True))
        fast = [tuple(t - inner_lr * next(grads) for t in pair) for pair in fast]
        meta_loss = (_forward(fast, x[:, k:]) - y[:, k:]).square().mean()
        step += 1
        with torch.no_grad():
            for p, g, (m, v) in zip(
                params, torch.autograd.grad(meta_loss, params), moments, strict=True
            ):
                m.mul_(0.9).add_(g, alpha=0.1)
                v.mul_(0.999).addcmul_(g, g, value=0.001)
                p -= lr * (m / (1 - 0.9**step)) / ((v / (1 - 0.999**step)).sqrt() + 1e-8)
    return model
