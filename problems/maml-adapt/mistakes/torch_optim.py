"""The inner loop runs a `torch.optim` optimizer on a copy of the model: the values are
right, but an optimizer's step is an in-place update outside autograd, so the adapted
weights are cut off from the model's parameters and no meta-gradient (first- or
second-order) can flow back to θ.

Write the update functionally: new_params = {n: p - lr * g}.
"""

import copy

import torch


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    clone = copy.deepcopy(model)
    optimizer = torch.optim.SGD(clone.parameters(), lr=inner_lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(clone(x), y).backward()
        optimizer.step()
    return {n: p for n, p in clone.named_parameters()}
