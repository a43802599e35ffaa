"""Correct, with a torch.optim.SGD optimizer on a deep copy of the model.

Reptile needs no gradient through the inner loop, so an ordinary training loop on a copy
is a perfectly good way to get φ (unlike MAML, where it would cut the meta-gradient).
"""

import copy

import torch


def reptile_step(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr):
    fast = copy.deepcopy(model)
    optimizer = torch.optim.SGD(fast.parameters(), lr=inner_lr)
    for _ in range(inner_steps):
        optimizer.zero_grad()
        loss_fn(fast(x), y).backward()
        optimizer.step()
    phi = dict(fast.named_parameters())
    with torch.no_grad():
        return {n: p + outer_lr * (phi[n] - p) for n, p in model.named_parameters()}
